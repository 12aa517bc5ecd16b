import FeedwatchConfig
import FeedwatchFetch
import FeedwatchHTTP
import FeedwatchParse
import Foundation

/// `feedwatch parse FILE|URL`: one document through the fetcher (for URLs) and the parser.
public enum ParseRunner {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The SPEC §3 JSON of the document at `source`; a document larger than `maxSize` bytes
    /// (decompressed, for a URL) is refused.
    public static func json(for source: String, maxSize: Int = FeedSettings().maxSize) async throws(Failure) -> String {
        let lowered = source.lowercased()
        if lowered.hasPrefix("http://") || lowered.hasPrefix("https://") {
            guard let url = URL(string: source) else { throw Failure(description: "\(source): not a valid URL") }
            let http: HTTPClient
            do { http = try HTTPClient(configuration: .init(concurrency: 1, perHost: 1)) } catch {
                throw Failure(description: "cannot start the HTTP client: \(error)")
            }
            defer { http.shutdown() }
            let result = await FeedFetcher(client: http).fetch(FetchRequest(url: url, maxSize: maxSize))
            switch result.outcome {
            case .document(let body, let charset, let finalURL):
                return try parse(body, url: finalURL.absoluteString, charset: charset, name: source)
            case .notModified:
                throw Failure(
                    description: "\(source): the server answered 304 Not Modified to an unconditional request")
            case .gone:
                throw Failure(description: "\(source): 410 Gone")
            case .failed(let message):
                throw Failure(description: "\(source): \(message)")
            }
        }
        let path = lowered.hasPrefix("file:") ? (URL(string: source)?.path ?? String(source.dropFirst(5))) : source
        // One byte more than allowed is enough to know the file is too large: never read it all.
        guard let file = FileHandle(forReadingAtPath: path),
            let data = try? file.read(upToCount: maxSize + 1) ?? Data()
        else {
            throw Failure(description: "\(path): cannot read the file")
        }
        try? file.close()
        guard data.count <= maxSize else {
            throw Failure(description: "\(path): larger than --max-size \(Units.describe(bytes: maxSize))")
        }
        return try parse(data, url: URL(fileURLWithPath: path).absoluteString, charset: nil, name: path)
    }

    private static func parse(_ data: Data, url: String, charset: String?, name: String) throws(Failure) -> String {
        do {
            return try FeedParser.parse(data, url: url, httpCharset: charset).jsonString(pretty: true)
        } catch {
            throw Failure(description: "\(name): \(error.description)")
        }
    }
}
