// The entry point: bytes in, a feed out. Decodes the charset, sniffs JSON or XML, and dispatches.
import Foundation

/// Parses RSS 0.90–2.0, RSS 1.0, Atom 0.3/1.0 and JSON Feed documents.
public enum FeedParser {
    /// Parses a whole document into a feed with all its items.
    ///
    /// - Parameters:
    ///   - data: the document as fetched (any supported charset).
    ///   - url: the feed's URL: relative links are resolved against it (it is never opened).
    ///   - httpCharset: the `charset` parameter of the HTTP Content-Type, if any; it wins over the
    ///     document's own declaration.
    /// - Throws: `FeedParseError` when the document is not a feed at all (HTML, binary, empty, an
    ///   entity-expansion attack). A malformed feed is read as far as it goes, with warnings.
    public static func parse(_ data: Data, url: String, httpCharset: String? = nil) throws(FeedParseError) -> ParsedFeed
    {
        var items: [FeedItem] = []
        let header = try stream(data, url: url, httpCharset: httpCharset) { items.append($0) }
        return ParsedFeed(
            format: header.format, title: header.title, link: header.link, warnings: header.warnings,
            items: items, ttlMinutes: header.ttlMinutes)
    }

    /// Parses a document handing each item to `onItem` as soon as it is read, without keeping it:
    /// memory stays bounded by the largest item, not the document.
    public static func stream(
        _ data: Data, url: String, httpCharset: String? = nil,
        onItem: (consuming FeedItem) -> Void
    ) throws(FeedParseError) -> FeedHeader {
        let document = try Encoding.utf8Document(data, httpCharset: httpCharset)
        let bytes = document.bytes
        guard let first = bytes.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) else {
            throw FeedParseError(description: "not a feed: the document is empty")
        }
        if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
            return try JSONFeed.read(bytes, url: url, warnings: document.warnings, onItem: onItem)
        }
        let result: Result<FeedHeader, FeedParseError> = bytes.withUnsafeBytes { raw in
            let preflight = XMLPreflight.prepare(raw)
            if preflight.doctypeName?.lowercased() == "html" {
                return .failure(
                    FeedParseError(
                        description: "not a feed: the document is an HTML page; the URL may be "
                            + "a web page rather than its feed (look for <link rel=\"alternate\" "
                            + "type=\"application/rss+xml\"> in it)"))
            }
            func run(_ utf8: UnsafeRawBufferPointer) -> Result<FeedHeader, FeedParseError> {
                do throws(FeedParseError) {
                    var header = try XMLFeedReader.read(utf8: utf8, url: url, onItem: onItem)
                    header.warnings = document.warnings + preflight.warnings + header.warnings
                    return .success(header)
                } catch {
                    return .failure(error)
                }
            }
            if let rewritten = preflight.rewritten {
                return rewritten.withUnsafeBytes { run($0) }
            }
            return run(raw)
        }
        return try result.get()
    }
}
