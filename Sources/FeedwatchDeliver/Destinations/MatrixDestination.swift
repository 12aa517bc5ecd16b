import FeedwatchAlert
import FeedwatchConfig
import FeedwatchHTTP
import Foundation

/// `matrix`: an `m.room.message` sent with `PUT …/rooms/{room}/send/m.room.message/{txnId}` (SPEC
/// §5). The transaction id is the message's id, so a retried request is the same event on the
/// homeserver, never a second one. 429 `M_LIMIT_EXCEEDED` waits `retry_after_ms`; 401/403 (a bad
/// token, not in the room) are permanent with the homeserver's `errcode` and `error`.
public struct MatrixDestination: Destination {
    public let name: String
    public let retryFor: TimeInterval
    public let maxInFlight = 2
    let config: MatrixConfig
    let timeout: TimeInterval
    let http: HTTPClient
    let render: @Sendable ([Alert]) -> (plain: String, html: String)

    /// A Matrix destination; `render` overrides the default text and HTML (a template).
    public init(
        name: String, config: MatrixConfig, timeout: TimeInterval, retryFor: TimeInterval, http: HTTPClient,
        render: (@Sendable ([Alert]) -> (plain: String, html: String))? = nil
    ) {
        self.name = name
        self.config = config
        self.timeout = timeout
        self.retryFor = retryFor
        self.http = http
        self.render = render ?? { (Self.plain($0), Self.html($0)) }
    }

    /// Characters escaped in a path segment: everything but RFC 3986's unreserved set.
    static let segment = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: "\0"..."\u{7F}"))
        .union(CharacterSet(charactersIn: "-._~"))

    public func deliver(_ message: OutgoingMessage) async -> DeliveryOutcome {
        guard let room = config.room.addingPercentEncoding(withAllowedCharacters: Self.segment),
            let transaction = message.id.addingPercentEncoding(withAllowedCharacters: Self.segment),
            let url = URL(
                string: "\(config.homeserver)/_matrix/client/v3/rooms/\(room)/send/m.room.message/\(transaction)")
        else {
            return .failed(reason: "the Matrix homeserver URL is not valid")
        }
        let (plain, html) = render(message.alerts)
        let body = JSONWriter.render(
            .object([
                ("msgtype", .string("m.text")),
                ("body", .string(plain)),
                ("format", .string("org.matrix.custom.html")),
                ("formatted_body", .string(html)),
            ]))
        let request = HTTPRequest(
            url: url, method: "PUT",
            headers: HTTPHeaders([
                ("Content-Type", "application/json"), ("Authorization", "Bearer \(config.token)"),
            ]),
            body: Data(body.utf8), timeout: timeout, connectTimeout: min(10, timeout), maxBodySize: 64 * 1024,
            followRedirects: false)
        switch await http.perform(request) {
        case .failure(let error):
            return HTTPVerdict.outcome(of: error)
        case .success(let response):
            let answer = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any]
            let code = answer?["errcode"] as? String
            let text = answer?["error"] as? String
            let reason = code.map { code in text.map { "\(code): \($0)" } ?? code }
            let retryAfter = (answer?["retry_after_ms"] as? NSNumber).map { $0.doubleValue / 1000 }
            return HTTPVerdict.outcome(of: response, now: message.now, reason: reason, retryAfter: retryAfter)
        }
    }

    /// The plain body clients without HTML show (and notifications use).
    static func plain(_ alerts: [Alert]) -> String {
        alerts.map { alert in
            var lines = [
                "[\(SafeText.oneLine(alert.rule))] \(ChatText.title(alert))",
                "matched: " + ChatText.keywords(alert), ChatText.feedLine(alert),
            ]
            if SafeText.isWebURL(alert.item.link) { lines.append(SafeText.urlValue(alert.item.link)) }
            let excerpt = ChatText.excerpt(alert)
            if !excerpt.isEmpty { lines.append(excerpt) }
            return lines.joined(separator: "\n")
        }.joined(separator: "\n\n")
    }

    /// The same facts as HTML (`ChatText.htmlLines`), lines broken with `<br/>`.
    static func html(_ alerts: [Alert]) -> String {
        alerts.map { ChatText.htmlLines($0).joined(separator: "<br/>") }.joined(separator: "<br/><br/>")
    }
}
