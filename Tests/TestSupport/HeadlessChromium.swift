import Foundation

/// Debian's `chromium`, headless, as a real browser for the tests: it loads a page and hands back
/// the DOM it built (`--dump-dom`) or a screenshot. As root Chromium refuses to start without
/// `--no-sandbox`; the tests load only their own loopback pages.
public enum HeadlessChromium {
    /// The executable, when installed (`make deps` installs it).
    public static var executable: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The error a run of Chromium can end with.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The DOM of `url` once loaded, serialised as HTML.
    public static func dumpDOM(_ url: URL, extraArguments: [String] = []) throws -> String {
        let result = try run(["--dump-dom"] + extraArguments + [url.absoluteString])
        guard result.status == 0, !result.stdout.isEmpty else {
            throw Failure(description: "chromium --dump-dom exited \(result.status): \(result.stderr.suffix(2000))")
        }
        return result.stdout
    }

    /// Saves a PNG of `url` at `path`, the window `width`×`height` pixels.
    public static func screenshot(_ url: URL, to path: String, width: Int, height: Int) throws {
        try? FileManager.default.removeItem(atPath: path)
        let result = try run([
            "--screenshot=\(path)", "--window-size=\(width),\(height)", "--hide-scrollbars", url.absoluteString,
        ])
        guard result.status == 0, FileManager.default.fileExists(atPath: path) else {
            throw Failure(description: "chromium --screenshot exited \(result.status): \(result.stderr.suffix(2000))")
        }
    }

    private static func run(_ arguments: [String]) throws -> FeedwatchProcess.Result {
        guard let executable else { throw Failure(description: "chromium is not installed (make deps installs it)") }
        let profile = try makeTemporaryDirectory("feedwatch-chromium")
        defer { try? FileManager.default.removeItem(at: profile) }
        return try FeedwatchProcess.runProgram(
            executable,
            ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(profile.path)"]
                + arguments)
    }
}
