import Foundation

/// A feed's URL as written (`url:` of a `feeds:` entry, the first field of a `feeds_from:` line):
/// `http://`, `https://` or `file:PATH`.
enum FeedSourceParser {
    struct Problem: Error {
        var message: String
    }

    /// The source of `text`; `written` is the same text before `${VAR}` expansion, the only form a
    /// message quotes. A relative `file:` path is resolved against `directory`.
    static func parse(_ text: String, written: String, directory: String) -> Result<FeedSource, Problem> {
        if FeedURL.isHTTP(text) { return .success(.remote(text)) }
        if text.hasPrefix("file:") {
            var filePath = String(text.dropFirst(5))
            if filePath.hasPrefix("//") {
                guard let url = URL(string: text), url.host == nil || url.host == "" || url.host == "localhost" else {
                    return .failure(Problem(message: "\(ConfigNodeReader.quote(written)) is not a local file URL"))
                }
                filePath = url.path
            }
            guard !filePath.isEmpty else {
                return .failure(Problem(message: "file: needs a path, e.g. file:sample-feed.xml"))
            }
            return .success(.file(resolve(filePath, against: directory)))
        }
        return .failure(
            Problem(message: "\(ConfigNodeReader.quote(written)) is not a feed URL (http://, https:// or file:PATH)"))
    }

    /// A relative path is relative to the folder of the file that names it, not the working directory.
    static func resolve(_ path: String, against directory: String) -> String {
        if path.hasPrefix("/") { return path }
        return URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: directory, isDirectory: true))
            .standardizedFileURL.path
    }
}
