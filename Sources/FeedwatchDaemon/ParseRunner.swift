import FeedwatchConfig
import FeedwatchParse
import Foundation

/// `feedwatch parse FILE|URL`: one document through the fetcher (for URLs) and the parser.
public enum ParseRunner {
    public typealias Failure = CommandFailure

    /// The SPEC §3 JSON of the document at `source`; a document larger than `maxSize` bytes
    /// (decompressed, for a URL) is refused.
    public static func json(for source: String, maxSize: Int = FeedSettings().maxSize) async throws(Failure) -> String {
        let document = try await SourceDocument.load(source, maxSize: maxSize)
        do {
            return try FeedParser.parse(document.body, url: document.url, httpCharset: document.charset)
                .jsonString(pretty: true)
        } catch {
            throw Failure(description: "\(document.name): \(error.description)")
        }
    }
}
