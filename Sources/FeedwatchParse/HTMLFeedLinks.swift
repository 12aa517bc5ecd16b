// Feed autodiscovery: the feeds a web page announces in its <link rel="alternate" type="…"> elements,
// read with libxml2's HTML parser (HTMLReader.swift) and resolved against the page's URL and <base>.
import Foundation

/// A feed a web page announces.
public struct FeedLink: Sendable, Equatable {
    /// The feed's absolute URL.
    public var url: String
    /// The announced media type, lower case, without parameters (`application/rss+xml`).
    public var type: String
    /// The link's `title`, white space collapsed; "" when it has none.
    public var title: String

    public init(url: String, type: String, title: String) {
        self.url = url
        self.type = type
        self.title = title
    }
}

/// What a web page announces: its feed links, and what kept the page from being read to its end.
public struct FeedLinks: Sendable, Equatable {
    /// The feeds, in page order, each URL once.
    public var links: [FeedLink]
    /// Why the page was not read to its end (the links before that point are kept), or the charset
    /// problems met; empty for an ordinary page.
    public var warnings: [String]
}

/// Finds the feeds a web page announces (`feedwatch discover`).
public enum HTMLFeedLinks {
    /// The media types of feeds. `application/json` counts too, as JSON Feed's specification allows.
    public static let feedTypes: Set<String> = [
        "application/rss+xml", "application/atom+xml", "application/feed+json", "application/json",
        "application/rdf+xml",
    ]

    /// The feeds announced by the page `data`, fetched from `pageURL` (relative links are resolved
    /// against it, or against the page's `<base href>`); `httpCharset` is the HTTP Content-Type's
    /// charset. Reads nothing but `data`.
    public static func find(
        in data: Data, pageURL: String, httpCharset: String? = nil, maxDepth: Int = 256,
        timeLimit: TimeInterval = 5
    ) -> FeedLinks {
        var warnings: [String] = []
        let bytes = utf8Page(data, httpCharset: httpCharset, warnings: &warnings)
        let collector = LinkCollector()
        let parser = HTMLStreamParser(handler: collector, maxDepth: maxDepth, timeLimit: timeLimit)
        bytes.withUnsafeBytes { parser.parse(utf8: $0) }
        switch parser.stop {
        case .tooDeep(let depth)?:
            warnings.append("the page nests elements deeper than \(depth) levels: read only up to there")
        case .tooSlow(let seconds)?:
            warnings.append("the page took longer than \(Int(seconds)) seconds to read: read only up to there")
        case nil:
            break
        }

        let base = collector.base.flatMap { XMLStreamParser.resolve($0, against: pageURL) } ?? pageURL
        let pageIsFile = pageURL.lowercased().hasPrefix("file:")
        var seen = Set<String>()
        var links: [FeedLink] = []
        for candidate in collector.candidates {
            guard let url = XMLStreamParser.resolve(candidate.href, against: base),
                let scheme = URLComponents(string: url)?.scheme?.lowercased(),
                scheme == "http" || scheme == "https" || (scheme == "file" && pageIsFile),
                seen.insert(url).inserted
            else { continue }
            links.append(FeedLink(url: url, type: candidate.type, title: candidate.title))
        }
        return FeedLinks(links: links, warnings: warnings)
    }

    /// The page as UTF-8: the HTTP charset, else the BOM, else a `<meta charset>` in its first 1024
    /// bytes (where HTML requires it to be), else UTF-8 or, for bytes that are not, the detected charset.
    private static func utf8Page(_ data: Data, httpCharset: String?, warnings: inout [String]) -> Data {
        let charset = httpCharset ?? metaCharset(data.prefix(1024))
        if let document = try? Encoding.utf8Document(data, httpCharset: charset) {
            warnings += document.warnings
            return document.bytes
        }
        // Only a NUL byte makes a document unreadable as a feed; in a page it is dropped.
        let withoutNUL = Data(data.lazy.filter { $0 != 0 })
        let document = try? Encoding.utf8Document(withoutNUL, httpCharset: charset)
        warnings += document?.warnings ?? []
        return document?.bytes ?? withoutNUL
    }

    /// The charset of the first `<meta charset="…">` or `<meta http-equiv="Content-Type" content="…;
    /// charset=…">`: the value after the first `charset=` inside a `<meta` tag.
    static func metaCharset(_ head: Data) -> String? {
        let text = String(decoding: head, as: UTF8.self).lowercased()
        var rest = Substring(text)
        while let meta = rest.range(of: "<meta") {
            let tag = rest[meta.upperBound...].prefix { $0 != ">" }
            rest = rest[meta.upperBound...]
            guard let key = tag.range(of: "charset") else { continue }
            let value = tag[key.upperBound...].drop { $0 == " " || $0 == "\t" }
            guard value.first == "=" else { continue }
            let name = value.dropFirst().drop { $0 == " " || $0 == "\"" || $0 == "'" }
                .prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ":" || $0 == "." }
            if !name.isEmpty { return String(name) }
        }
        return nil
    }

    /// A `<link>` that announces a feed, as written in the page.
    struct Candidate {
        var href: String
        var type: String
        var title: String
    }

    /// Keeps the feed links and the first `<base href>` (which applies to the whole page, even to
    /// links before it).
    final class LinkCollector: HTMLEventHandler {
        var candidates: [Candidate] = []
        var base: String?

        func startElement(name: String, attributes: HTMLAttributes) {
            switch name {
            case "link":
                guard let rel = attributes.value("rel"), let type = attributes.value("type"),
                    let href = attributes.value("href")
                else { return }
                let relations = rel.lowercased().split(whereSeparator: \.isWhitespace)
                let mediaType = type.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
                let target = href.trimmingCharacters(in: .whitespacesAndNewlines)
                guard relations.contains("alternate"), let mediaType, HTMLFeedLinks.feedTypes.contains(mediaType),
                    !target.isEmpty
                else { return }
                let title = (attributes.value("title") ?? "").split(whereSeparator: \.isWhitespace)
                    .joined(separator: " ")
                candidates.append(Candidate(href: target, type: mediaType, title: title))
            case "base" where base == nil:
                let href = attributes.value("href")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
                if !href.isEmpty { base = href }
            default:
                break
            }
        }
    }
}
