import FeedwatchConfig
import FeedwatchFetch
import FeedwatchHTTP
import Foundation

/// A document named on the command line (`parse`, `explain`, `discover`): a file path, a `file:`
/// URL, or an http(s) URL fetched with the daemon's fetcher.
struct SourceDocument: Sendable {
    var body: Data
    /// The HTTP Content-Type's charset, if any.
    var charset: String?
    /// The URL relative links are resolved against: the last one after redirects, or the file's URL.
    var url: String
    /// How messages name it: the URL as given, or the file's path.
    var name: String

    static func isHTTP(_ source: String) -> Bool {
        let lowered = source.lowercased()
        return lowered.hasPrefix("http://") || lowered.hasPrefix("https://")
    }

    /// The path a file source names (`file:` removed).
    static func path(of source: String) -> String {
        guard source.lowercased().hasPrefix("file:") else { return source }
        return URL(string: source)?.path ?? String(source.dropFirst(5))
    }

    /// Reads or fetches `source`; a document larger than `maxSize` bytes (decompressed) is refused,
    /// naming the limit as `limitName`. A URL is fetched with `request` when given (a configured
    /// feed's headers and settings).
    static func load(
        _ source: String, maxSize: Int, limitName: String = "--max-size", request: FetchRequest? = nil
    ) async throws(CommandFailure) -> SourceDocument {
        if isHTTP(source) {
            guard let url = URL(string: source) else { throw CommandFailure(description: "\(source): not a valid URL") }
            let http: HTTPClient
            do { http = try HTTPClient(configuration: .init(concurrency: 1, perHost: 1)) } catch {
                throw CommandFailure(description: "cannot start the HTTP client: \(error)")
            }
            defer { http.shutdown() }
            let result = await FeedFetcher(client: http).fetch(request ?? FetchRequest(url: url, maxSize: maxSize))
            switch result.outcome {
            case .document(let body, let charset, let finalURL):
                return SourceDocument(body: body, charset: charset, url: finalURL.absoluteString, name: source)
            case .notModified:
                throw CommandFailure(
                    description: "\(source): the server answered 304 Not Modified to an unconditional request")
            case .gone:
                throw CommandFailure(description: "\(source): 410 Gone")
            case .failed(let message):
                throw CommandFailure(description: "\(source): \(message)")
            }
        }
        let path = path(of: source)
        // One byte more than allowed is enough to know the file is too large: never read it all.
        guard let file = FileHandle(forReadingAtPath: path),
            let data = try? file.read(upToCount: maxSize + 1) ?? Data()
        else {
            throw CommandFailure(description: "\(path): cannot read the file")
        }
        try? file.close()
        guard data.count <= maxSize else {
            throw CommandFailure(description: "\(path): larger than \(limitName) \(Units.describe(bytes: maxSize))")
        }
        return SourceDocument(body: data, charset: nil, url: URL(fileURLWithPath: path).absoluteString, name: path)
    }
}
