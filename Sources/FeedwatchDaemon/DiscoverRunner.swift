import FeedwatchConfig
import FeedwatchParse
import Foundation

/// `feedwatch discover URL`: the feeds a web page announces, as the `feeds:` YAML of the configuration.
public enum DiscoverRunner {
    /// What `discover` prints: the YAML on stdout, the warnings on stderr.
    public struct Discovery: Sendable {
        public var yaml: String
        public var warnings: [String]
    }

    /// Fetches `source` (an http(s) URL, or a file for tests). A feed lists itself; a web page lists
    /// the feeds its `<link rel="alternate">` elements announce, each URL once, named as the
    /// configuration would name it, its title as a comment. Throws when the page announces none.
    public static func discover(_ source: String) async throws(CommandFailure) -> Discovery {
        let document = try await SourceDocument.load(source, maxSize: FeedSettings().maxSize, limitName: "the limit of")
        if let feed = try? FeedParser.parse(document.body, url: document.url, httpCharset: document.charset) {
            // A path is printed as the configuration reads local files.
            let url =
                SourceDocument.isHTTP(source) || source.lowercased().hasPrefix("file:")
                ? source : "file:" + URL(fileURLWithPath: source).standardizedFileURL.path
            let entry = FeedsYAML.Entry(
                url: url, name: Self.source(for: url).derivedName, comment: feed.title.isEmpty ? nil : feed.title)
            return Discovery(yaml: FeedsYAML.render([entry]), warnings: [])
        }
        let found = HTMLFeedLinks.find(in: document.body, pageURL: document.url, httpCharset: document.charset)
        guard !found.links.isEmpty else {
            throw CommandFailure(
                description: "no feeds announced on \(source)"
                    + (found.warnings.isEmpty ? "" : " (\(found.warnings.joined(separator: "; ")))"))
        }
        var counts: [String: Int] = [:]
        let entries = found.links.map { link in
            FeedsYAML.Entry(
                url: link.url, name: FeedsYAML.uniqueName(Self.source(for: link.url).derivedName, counts: &counts),
                comment: link.title.isEmpty ? nil : link.title)
        }
        return Discovery(yaml: FeedsYAML.render(entries), warnings: found.warnings.map { "\(source): \($0)" })
    }

    /// Where a URL printed in `feeds:` points, to derive its name as the configuration does.
    private static func source(for url: String) -> FeedSource {
        if SourceDocument.isHTTP(url) { return .remote(url) }
        return .file(SourceDocument.path(of: url))
    }
}
