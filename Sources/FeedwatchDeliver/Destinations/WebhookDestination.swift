import FeedwatchAlert
import FeedwatchConfig
import FeedwatchHTTP
import FeedwatchTemplate
import Foundation

/// `webhook`: a POST of the alert in one of the formats of SPEC §5 (json, slack, discord,
/// mattermost, ntfy), signed the Standard Webhooks way when a secret is set. Redirects are not
/// followed: a 3xx is a failure.
public struct WebhookDestination: Destination {
    public let name: String
    public let retryFor: TimeInterval
    public let maxInFlight: Int
    let config: WebhookConfig
    let format: FeedwatchAlert.WebhookFormat
    let signer: WebhookSigner?
    let template: CompiledTemplate?
    let http: HTTPClient

    /// Why a webhook cannot be built from its configuration.
    public struct ConfigurationError: Error, CustomStringConvertible {
        public var description: String
    }

    /// A webhook destination posting through `http`, at most `maxInFlight` at a time.
    public init(config: WebhookConfig, http: HTTPClient, maxInFlight: Int = 4) throws(ConfigurationError) {
        self.config = config
        name = config.name
        retryFor = config.retryFor
        self.maxInFlight = maxInFlight
        format = FeedwatchAlert.WebhookFormat(rawValue: config.format.rawValue) ?? .json
        if let secret = config.secret {
            do {
                signer = try WebhookSigner(secret: secret)
            } catch {
                throw ConfigurationError(description: "webhook \(config.name): \(error)")
            }
        } else {
            signer = nil
        }
        do {
            // A json body is a JSON document: values are JSON-escaped; elsewhere the template is text.
            template = try CompiledTemplate(config.template, escaping: config.format == .json ? .json : .plain)
        } catch {
            throw ConfigurationError(description: "webhook \(config.name): template: \(error)")
        }
        self.http = http
    }

    public func deliver(_ message: OutgoingMessage) async -> DeliveryOutcome {
        guard config.unsetVariables.isEmpty else {
            return .failed(reason: "the configuration left \(config.unsetVariables.joined(separator: ", ")) unset")
        }
        guard let alert = message.alerts.first else { return .delivered(status: nil) }
        let payload: WebhookPayload
        if let template {
            payload = WebhookPayload.make(for: alert, format: format, text: template.render(message.alerts))
        } else if message.alerts.count > 1 {
            payload = WebhookPayload.make(group: message.alerts, format: format)
        } else {
            payload = WebhookPayload.make(for: alert, format: format)
        }
        guard let url = Self.url(config.url, adding: payload.query) else {
            return .failed(reason: "the webhook URL is not valid")
        }
        var headers = HTTPHeaders(payload.headers)
        for (name, value) in config.headers.sorted(by: { $0.key < $1.key }) {
            headers.set(name: name, value: value)
        }
        for (name, value) in WebhookSigner.deliveryHeaders(
            id: message.id, timestamp: Int(message.now.timeIntervalSince1970), body: payload.body, signer: signer)
        {
            headers.set(name: name, value: value)
        }
        let request = HTTPRequest(
            url: url, method: "POST", headers: headers, body: payload.body, timeout: config.timeout,
            connectTimeout: min(10, config.timeout), maxBodySize: 64 * 1024, followRedirects: false)
        switch await http.perform(request) {
        case .success(let response): return HTTPVerdict.outcome(of: response, now: message.now)
        case .failure(let error): return HTTPVerdict.outcome(of: error)
        }
    }

    /// RFC 3986's unreserved characters: everything else in a query value is escaped.
    static let queryValue = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// The configured URL with the format's query parameters appended (unless already there). The
    /// URL is extended as text: re-encoding its query would change a token's escapes.
    static func url(_ text: String, adding query: [(String, String)]) -> URL? {
        var result = text
        let existing = URLComponents(string: text)?.queryItems?.map(\.name) ?? []
        for (name, value) in query where !existing.contains(name) {
            let encoded = value.addingPercentEncoding(withAllowedCharacters: Self.queryValue) ?? value
            result += (result.contains("?") ? "&" : "?") + "\(name)=\(encoded)"
        }
        return URL(string: result)
    }
}
