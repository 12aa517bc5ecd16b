import FeedwatchAlert
import FeedwatchConfig
import FeedwatchHTTP
import FeedwatchTemplate
import Foundation

/// Every destination a configuration names, built once at start and on each reload: the one place
/// that maps a configured type onto its implementation.
public enum DestinationSet {
    /// The journal and every configured destination, by name.
    public static func make(
        config: Config, http: HTTPClient, journal: JournalSink
    ) throws(WebhookDestination.ConfigurationError) -> [String: any Destination] {
        var destinations: [String: any Destination] = [
            JournalDestination.journalName: JournalDestination(sink: journal)
        ]
        for destination in config.destinations {
            switch destination.kind {
            case .webhook(let webhook):
                destinations[destination.name] = try WebhookDestination(config: webhook, http: http)
            case .telegram(let telegram):
                var render: (@Sendable ([Alert]) -> String)?
                if let template = try compile(destination, escaping: .html) {
                    render = { template.render($0) }
                }
                destinations[destination.name] = TelegramDestination(
                    name: destination.name, config: telegram, timeout: destination.timeout,
                    retryFor: destination.retryFor, http: http, render: render)
            case .matrix(let matrix):
                let plain = try compile(destination, escaping: .plain)
                let html = try compile(destination, escaping: .html)
                var render: (@Sendable ([Alert]) -> (plain: String, html: String))?
                if let plain, let html {
                    // Line breaks of the template are line breaks in the room, in the HTML as well.
                    render = { (plain.render($0), html.render($0).replacingOccurrences(of: "\n", with: "<br/>")) }
                }
                destinations[destination.name] = MatrixDestination(
                    name: destination.name, config: matrix, timeout: destination.timeout,
                    retryFor: destination.retryFor, http: http, render: render)
            case .pagerduty(let pagerDuty):
                destinations[destination.name] = PagerDutyDestination(
                    name: destination.name, config: pagerDuty, timeout: destination.timeout,
                    retryFor: destination.retryFor, http: http)
            case .email(let email):
                let text = try compile(destination, escaping: .plain)
                let html = try compile(destination, escaping: .html)
                var subject: CompiledTemplate?
                do {
                    subject = try CompiledTemplate(email.subject, escaping: .plain)
                } catch {
                    throw WebhookDestination.ConfigurationError(description: "\(destination.name): subject: \(error)")
                }
                // The template gives the text part, and the HTML part with its values HTML-escaped
                // and its line breaks kept.
                var content = EmailContent()
                if let subject { content.subject = { subject.render($0) } }
                if let text { content.text = { text.render($0) } }
                if let html { content.html = { "<div style=\"white-space: pre-wrap\">" + html.render($0) + "</div>" } }
                do {
                    destinations[destination.name] = try EmailDestination(
                        name: destination.name, config: email, timeout: destination.timeout,
                        retryFor: destination.retryFor, unsetVariables: destination.unsetVariables, content: content)
                } catch {
                    throw WebhookDestination.ConfigurationError(description: "\(error)")
                }
            }
        }
        return destinations
    }

    private static func compile(
        _ destination: DestinationConfig, escaping: TemplateEscaping
    ) throws(WebhookDestination.ConfigurationError) -> CompiledTemplate? {
        do {
            return try CompiledTemplate(destination.template, escaping: escaping)
        } catch {
            throw WebhookDestination.ConfigurationError(description: "\(destination.name): template: \(error)")
        }
    }
}
