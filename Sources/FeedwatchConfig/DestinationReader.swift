import FeedwatchTemplate
import Foundation
import Yams

/// The `webhooks:` and `destinations:` sections (SPEC §2, §5): one reader per destination type,
/// the keys every type shares, and the checks of addresses and URLs.
extension ConfigBuilder {
    static let destinationCommonKeys = ["name", "type", "timeout", "retry_for"] + shapingKeys
    /// The keys each type adds to the common ones.
    static let destinationTypeKeys: [String: [String]] = [
        "webhook": ["url", "format", "secret", "headers", "template"],
        "email": ["smtp", "username", "password", "from", "to", "subject", "template"],
        "telegram": ["token", "chat", "api_url", "template"],
        "matrix": ["homeserver", "room", "token", "template"],
        "pagerduty": ["routing_key", "severity", "api_url"],
    ]
    /// A `webhooks:` entry's keys, in the order messages list them.
    static let webhookKeys =
        ["name", "url", "format", "secret", "headers", "timeout", "retry_for", "template"] + shapingKeys
    static let smtpSchemes = ["smtp", "smtps", "smtp+insecure"]
    static let defaultTelegramAPI = "https://api.telegram.org"
    static let defaultPagerDutyAPI = "https://events.pagerduty.com"

    typealias Entries = MappingEntries

    /// A `webhooks:` entry: a destination of type webhook, without `type:`.
    mutating func webhookEntry(_ node: Node, _ path: String) -> DestinationConfig? {
        guard let entries = reader.mapping(node, path, known: Self.webhookKeys) else { return nil }
        return destination(type: "webhook", entries, node, path)
    }

    /// A `destinations:` entry: `type:` says which keys it may have.
    mutating func destinationEntry(_ node: Node, _ path: String) -> DestinationConfig? {
        guard case .mapping(let mapping) = node else {
            reader.report(
                node, path, "expected a mapping of keys (name, type, …), found \(ConfigNodeReader.describe(node))")
            return nil
        }
        let typeNode = mapping.first { if case .scalar(let key) = $0.key { key.string == "type" } else { false } }?
            .value
        guard let typeNode else {
            reader.report(node, path, "missing type: (\(DestinationConfig.types.joined(separator: ", ")))")
            return nil
        }
        guard let type = reader.string(typeNode, "\(path).type") else { return nil }
        guard let typeKeys = Self.destinationTypeKeys[type] else {
            let hint =
                KeySuggestion.nearest(to: type, in: DestinationConfig.types).map { " (did you mean \($0)?)" } ?? ""
            reader.report(
                typeNode, "\(path).type",
                "unknown type \"\(type)\"\(hint); types are \(DestinationConfig.types.joined(separator: ", "))")
            return nil
        }
        guard let entries = reader.mapping(node, path, known: Self.destinationCommonKeys + typeKeys) else { return nil }
        return destination(type: type, entries, node, path)
    }

    private mutating func destination(
        type: String, _ entries: Entries, _ node: Node, _ path: String
    ) -> DestinationConfig? {
        let skippedBefore = reader.skippedVariables.count
        let name = entries["name"].flatMap { reader.string($0.value, "\(path).name") }
        if entries["name"] == nil { reader.report(node, path, "missing name:") }
        let timeout =
            entries["timeout"].flatMap { reader.duration($0.value, "\(path).timeout", minimum: Self.minimumTimeout) }
            ?? 10
        let retryFor =
            entries["retry_for"].flatMap {
                reader.duration($0.value, "\(path).retry_for", minimum: Self.minimumRetryFor)
            } ?? 86400
        let template = templateSource(entries["template"], "\(path).template")
        let shapingValue = shaping(entries, path)
        let kind: DestinationConfig.Kind?
        switch type {
        case "webhook":
            kind = webhook(entries, node, path, name: name, timeout: timeout, retryFor: retryFor, template: template)
                .map { .webhook($0) }
        case "email": kind = email(entries, node, path).map { .email($0) }
        case "telegram": kind = telegram(entries, node, path).map { .telegram($0) }
        case "matrix": kind = matrix(entries, node, path).map { .matrix($0) }
        default: kind = pagerDuty(entries, node, path).map { .pagerduty($0) }
        }
        if let kind {
            validateTemplates(of: kind, template: template, entries, path)
        }
        guard let name, var kind else { return nil }
        let unset = Array(reader.skippedVariables[skippedBefore...])
        if case .webhook(var webhook) = kind {
            webhook.unsetVariables = unset
            kind = .webhook(webhook)
        }
        return DestinationConfig(
            name: name, kind: kind, timeout: timeout, retryFor: retryFor, template: template, unsetVariables: unset,
            shaping: shapingValue)
    }

    // MARK: - Types

    private mutating func webhook(
        _ entries: Entries, _ node: Node, _ path: String, name: String?, timeout: TimeInterval,
        retryFor: TimeInterval, template: TemplateSource?
    ) -> WebhookConfig? {
        var url: String?
        if let urlNode = entries["url"]?.value, let value = reader.string(urlNode, "\(path).url", secret: true) {
            if Self.isHTTPURL(value) {
                url = value
            } else {
                // Webhook URLs often embed a token (Slack, Discord): never echo them.
                reader.report(urlNode, "\(path).url", "not an http:// or https:// URL")
            }
        } else if entries["url"] == nil {
            reader.report(node, path, "missing url:")
        }
        var format = WebhookFormat.json
        if let formatNode = entries["format"]?.value, let value = reader.string(formatNode, "\(path).format") {
            if let known = WebhookFormat(rawValue: value) {
                format = known
            } else {
                let formats = WebhookFormat.allCases.map(\.rawValue).joined(separator: ", ")
                reader.report(formatNode, "\(path).format", "\"\(value)\" is not a format (\(formats))")
            }
        }
        var secret: String?
        if let secretNode = entries["secret"]?.value, !ConfigNodeReader.isNull(secretNode) {
            secret = reader.string(secretNode, "\(path).secret", secret: true)
            if secret == "" { reader.report(secretNode, "\(path).secret", "is empty") }
        }
        let headers = entries["headers"].flatMap { reader.headerMap($0.value, "\(path).headers") } ?? [:]
        guard let name else { return nil }
        return WebhookConfig(
            name: name, url: url ?? "", format: format, secret: secret, headers: headers, timeout: timeout,
            retryFor: retryFor, template: template)
    }

    private mutating func email(_ entries: Entries, _ node: Node, _ path: String) -> EmailConfig? {
        var smtp: String?
        if let smtpNode = required(entries, "smtp", node, path),
            let value = reader.string(smtpNode, "\(path).smtp", secret: true)
        {
            // The URL may carry a user and password: it is never quoted.
            if let scheme = URLComponents(string: value)?.scheme?.lowercased(), Self.smtpSchemes.contains(scheme),
                URLComponents(string: value)?.host?.isEmpty == false
            {
                smtp = value
            } else {
                reader.report(
                    smtpNode, "\(path).smtp",
                    "not an SMTP URL (smtps://host:465, smtp://host:587 with STARTTLS, or smtp+insecure://host)")
            }
        }
        let username = optionalString(entries, "username", path)
        let password = optionalString(entries, "password", path, secret: true)
        var from: String?
        if let fromNode = required(entries, "from", node, path),
            let value = reader.string(fromNode, "\(path).from")
        {
            if Self.mailbox(value) != nil {
                from = value
            } else {
                reader.report(fromNode, "\(path).from", "\(ConfigNodeReader.quote(value)) is not an e-mail address")
            }
        }
        var to: [String] = []
        if let toNode = required(entries, "to", node, path),
            let values = reader.stringList(toNode, "\(path).to")
        {
            for (index, value) in values.enumerated() {
                if Self.mailbox(value) != nil {
                    to.append(value)
                } else {
                    reader.report(
                        Self.element(toNode, index), "\(path).to[\(index)]",
                        "\(ConfigNodeReader.quote(value)) is not an e-mail address")
                }
            }
            if values.isEmpty { reader.report(toNode, "\(path).to", "needs at least one address") }
        }
        let subject = templateSource(entries["subject"], "\(path).subject")
        guard let smtp, let from, !to.isEmpty else { return nil }
        return EmailConfig(smtp: smtp, username: username, password: password, from: from, to: to, subject: subject)
    }

    private mutating func telegram(_ entries: Entries, _ node: Node, _ path: String) -> TelegramConfig? {
        let token = requiredSecret(entries, "token", node, path)
        let chat = required(entries, "chat", node, path).flatMap { reader.string($0, "\(path).chat") }
        if let chatNode = entries["chat"]?.value, chat == "" { reader.report(chatNode, "\(path).chat", "is empty") }
        let apiURL = httpURL(entries, "api_url", path) ?? Self.defaultTelegramAPI
        guard let token, let chat, !chat.isEmpty else { return nil }
        return TelegramConfig(token: token, chat: chat, apiURL: apiURL)
    }

    private mutating func matrix(_ entries: Entries, _ node: Node, _ path: String) -> MatrixConfig? {
        if entries["homeserver"] == nil { reader.report(node, path, "missing homeserver:") }
        let homeserver = httpURL(entries, "homeserver", path)
        var room: String?
        if let roomNode = required(entries, "room", node, path), let value = reader.string(roomNode, "\(path).room") {
            if (value.hasPrefix("!") || value.hasPrefix("#")) && value.contains(":") {
                room = value
            } else {
                reader.report(
                    roomNode, "\(path).room",
                    "\(ConfigNodeReader.quote(value)) is not a room id (!abc:example.org) or alias (#room:example.org)")
            }
        }
        let token = requiredSecret(entries, "token", node, path)
        guard let homeserver, let room, let token else { return nil }
        return MatrixConfig(homeserver: homeserver, room: room, token: token)
    }

    private mutating func pagerDuty(_ entries: Entries, _ node: Node, _ path: String) -> PagerDutyConfig? {
        let routingKey = requiredSecret(entries, "routing_key", node, path)
        var severity = "warning"
        if let severityNode = entries["severity"]?.value, let value = reader.string(severityNode, "\(path).severity") {
            if PagerDutyConfig.severities.contains(value) {
                severity = value
            } else {
                reader.report(
                    severityNode, "\(path).severity",
                    "\"\(value)\" is not a severity (\(PagerDutyConfig.severities.joined(separator: ", ")))")
            }
        }
        let apiURL = httpURL(entries, "api_url", path) ?? Self.defaultPagerDutyAPI
        guard let routingKey else { return nil }
        return PagerDutyConfig(routingKey: routingKey, severity: severity, apiURL: apiURL)
    }

    // MARK: - Values

    /// The value node of a key the type needs, or a "missing" error at the entry.
    private mutating func required(_ entries: Entries, _ key: String, _ node: Node, _ path: String) -> Node? {
        guard let entry = entries[key] else {
            reader.report(node, path, "missing \(key):")
            return nil
        }
        return entry.value
    }

    /// A secret the type needs. Left unset by a read-only command (`.allowed`), it is "" so that the
    /// destination still exists for `notify:` and the listings; it is never delivered to.
    private mutating func requiredSecret(_ entries: Entries, _ key: String, _ node: Node, _ path: String) -> String? {
        guard let valueNode = required(entries, key, node, path) else { return nil }
        let skippedBefore = reader.skippedVariables.count
        if let value = reader.string(valueNode, "\(path).\(key)", secret: true) { return value }
        return reader.skippedVariables.count > skippedBefore ? "" : nil
    }

    private mutating func optionalString(_ entries: Entries, _ key: String, _ path: String, secret: Bool = false)
        -> String?
    {
        guard let node = entries[key]?.value, !ConfigNodeReader.isNull(node) else { return nil }
        return reader.string(node, "\(path).\(key)", secret: secret)
    }

    /// An http(s) URL without its trailing slash, or nil (reported when given but unusable).
    private mutating func httpURL(_ entries: Entries, _ key: String, _ path: String) -> String? {
        guard let node = entries[key]?.value, let value = reader.string(node, "\(path).\(key)") else { return nil }
        guard Self.isHTTPURL(value) else {
            reader.report(node, "\(path).\(key)", "\(ConfigNodeReader.quote(value)) is not an http:// or https:// URL")
            return nil
        }
        return value.hasSuffix("/") ? String(value.dropLast()) : value
    }

    /// A template as written, with where its text starts.
    private mutating func templateSource(_ entry: (key: Node, value: Node)?, _ path: String) -> TemplateSource? {
        guard let node = entry?.value, !ConfigNodeReader.isNull(node), let text = reader.string(node, path) else {
            return nil
        }
        return TemplateSource(text: text, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
    }

    /// Compiles each template as its destination will (escaping chosen by the target), so that an
    /// unknown variable or a syntax error is a configuration error, located in the file.
    private mutating func validateTemplates(
        of kind: DestinationConfig.Kind, template: TemplateSource?, _ entries: Entries, _ path: String
    ) {
        var checks: [(TemplateSource, TemplateEscaping, String)] = []
        if let template {
            let escaping: TemplateEscaping
            switch kind {
            case .webhook(let webhook): escaping = webhook.format == .json ? .json : .plain
            case .telegram, .matrix, .email: escaping = .html
            case .pagerduty: escaping = .plain
            }
            checks.append((template, escaping, "\(path).template"))
        }
        if case .email(let email) = kind, let subject = email.subject {
            checks.append((subject, .plain, "\(path).subject"))
        }
        for (source, escaping, keyPath) in checks {
            do {
                _ = try MessageTemplate(source.text, escaping: escaping)
            } catch {
                let key = keyPath.split(separator: ".").last.map(String.init) ?? ""
                let (line, column) = position(of: error, in: source, node: entries[key]?.value)
                reader.report(line: line, column: column, keyPath, error.message)
            }
        }
    }

    /// Where a template error is in the file: a block scalar (`|`, `>`) starts on the next line at its
    /// indentation; a one-line value starts after its quote, if any.
    private func position(of error: TemplateError, in source: TemplateSource, node: Node?) -> (Int, Int) {
        var isBlock = false
        var isQuoted = false
        if case .scalar(let scalar)? = node {
            isBlock = scalar.style == .literal || scalar.style == .folded
            isQuoted = scalar.style == .singleQuoted || scalar.style == .doubleQuoted
        }
        let line = isBlock ? source.line + error.line : source.line + error.line - 1
        if !isBlock && error.line == 1 { return (line, source.column + (isQuoted ? 1 : 0) + error.column - 1) }
        let indentation = sourceLine(line)?.prefix(while: { $0 == " " }).count ?? 0
        return (line, indentation + error.column)
    }

    /// The address of "Name <local@domain>" or "local@domain", or nil when it is not one.
    static func mailbox(_ text: String) -> String? {
        var address = text.trimmingCharacters(in: .whitespaces)
        if let open = address.lastIndex(of: "<"), address.hasSuffix(">") {
            address = String(address[address.index(after: open)..<address.index(before: address.endIndex)])
        }
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."),
            !parts[1].hasSuffix("."),
            !address.unicodeScalars.contains(where: { $0.value <= 0x20 || "<>(),;:\\\"[]".unicodeScalars.contains($0) })
        else { return nil }
        return address
    }
}
