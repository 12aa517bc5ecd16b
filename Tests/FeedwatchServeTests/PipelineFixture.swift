import FeedwatchConfig
import FeedwatchDaemon
import FeedwatchServe
import FeedwatchState
import Foundation
import Logging
import TestSupport

/// A state filled by the real pipeline: `OnceRunner` polls loopback feeds — one with matching
/// stories (one of them with a hostile title), one answering 500, one refusing connections — and
/// delivers to three loopback webhooks (one takes it, one answers 503 so it waits, one 404 so it
/// dies). Every webhook carries secrets in its URL, headers and signing key, which no answer of
/// the listener may show.
final class PipelineFixture {
    /// Secrets of the configuration: none may appear in any answer.
    static let secrets = [
        "hook-path-secret-7f3a", "hook-query-secret-91c2", "header-secret-5d0e", "whsec_c2lnbmluZy1zZWNyZXQtMQ==",
        "feed-query-secret-44b8",
    ]
    static let hostileTitle = #"Panne chez Télégram <script>alert("pwned")</script> & <b>co</b>"#
    static let plainTitle = "Orange : panne du réseau mobile"

    let directory: URL
    let server: HTTPTestServer
    let config: Config
    let summary: OnceRunner.Summary

    init() async throws {
        directory = try makeTemporaryDirectory("feedwatch-serve")
        let server = try HTTPTestServer { request in
            switch request.pathWithoutQuery {
            case "/news.xml": return .init(status: 200, text: Self.newsFeed)
            case "/down.xml": return .init(status: 500, text: "down for maintenance")
            case "/hook/ok/hook-path-secret-7f3a": return .init(status: 204, text: "")
            case "/hook/busy/hook-path-secret-7f3a": return .init(status: 503, text: "busy")
            default: return .init(status: 404, text: "no such hook")
            }
        }
        self.server = server
        let refused = try HTTPTestServer { _ in .init(status: 200, text: "") }
        let refusedURL = refused.url("/feed.xml").absoluteString
        refused.stop()

        func hook(_ name: String, _ path: String) -> String {
            let url = server.url("/hook/\(path)/hook-path-secret-7f3a").absoluteString + "?token=hook-query-secret-91c2"
            return """
                  - {name: \(name), url: "\(url)", secret: "whsec_c2lnbmluZy1zZWNyZXQtMQ==", retry_for: 1h,
                     headers: {Authorization: "Bearer header-secret-5d0e"}}
                """
        }
        let yaml = """
            state_dir: \(directory.appendingPathComponent("state").path)
            feeds:
              - {url: "\(server.url("/news.xml").absoluteString)", name: news, tags: [fr], alert_on_first_poll: true}
              - {url: "\(server.url("/down.xml").absoluteString)?key=feed-query-secret-44b8", name: broken}
              - {url: "\(refusedURL)", name: unreachable}
            rules:
              - {name: outages, any: [panne, "Télégram"], notify: [journal, ops, pager, archive]}
            webhooks:
            \(hook("ops", "ok"))
            \(hook("pager", "busy"))
            \(hook("archive", "gone"))
            health: {failing_after: 0, silent_after: 0}
            """
        let path = directory.appendingPathComponent("feedwatch.yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        config = try ConfigLoader.load(path: path, environment: [:])
        var logger = Logger(label: "feedwatch-test-once")
        logger.logLevel = .critical
        summary = try await OnceRunner(config: config, logger: logger).run(dryRun: false, printAlert: { _ in })
    }

    /// A store opened as the commands that only look open it, and the source over it.
    func source(metrics: String = "feedwatch_up 1\n") throws -> (StoreStatusSource, SQLiteStateStore) {
        let store = try SQLiteStateStore(directory: config.stateDirectory, mode: .readOnly)
        let config = self.config
        return (StoreStatusSource(store: store, config: { config }, metrics: { metrics }), store)
    }

    func remove() {
        server.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// RSS titles are HTML: the XML escapes an HTML escape, so the parsed title holds the
    /// characters `<script>` as text, as a hostile feed would send them.
    private static var newsFeed: String {
        func xml(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;")
        }
        let hostile = xml(xml(hostileTitle))
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <rss version="2.0"><channel><title>Actualités</title><link>https://news.example.org/</link>
            <item><title>\(hostile)</title><link>https://news.example.org/telegram</link>
            <guid isPermaLink="false">n-1</guid><description>Le service est indisponible.</description></item>
            <item><title>\(xml(plainTitle))</title><link>https://news.example.org/orange</link>
            <guid isPermaLink="false">n-2</guid><description>Une panne de réseau.</description></item>
            <item><title>Rien à signaler</title><link>https://news.example.org/calme</link>
            <guid isPermaLink="false">n-3</guid></item>
            </channel></rss>
            """
    }
}
