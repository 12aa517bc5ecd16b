import Foundation

/// One destination alerts can be sent to (SPEC §5): a `destinations:` entry, or a `webhooks:`
/// entry (read as type webhook). `notify:` names them.
public struct DestinationConfig: Sendable, Equatable {
    /// The type and the keys only that type has.
    public enum Kind: Sendable, Equatable {
        case webhook(WebhookConfig)
        case email(EmailConfig)
        case telegram(TelegramConfig)
        case matrix(MatrixConfig)
        case pagerduty(PagerDutyConfig)
    }

    /// The types `type:` accepts, as written.
    public static let types = ["webhook", "email", "telegram", "matrix", "pagerduty"]

    public var name: String
    public var kind: Kind
    /// Seconds one attempt may take.
    public var timeout: TimeInterval
    /// How long an undelivered alert is retried before it is dead-lettered.
    public var retryFor: TimeInterval
    /// The Mustache template of the message (email: of its text), as written; nil for the type's own shape.
    public var template: TemplateSource?
    /// The `${VAR}`s found unset when loaded with `unsetDestinationSecrets: .allowed`; the values
    /// that used them were left out. Never deliver to a destination that has any.
    public var unsetVariables: [String] = []
    /// Grouping, digests, quiet hours and rate of its messages.
    public var shaping: Shaping

    public init(
        name: String, kind: Kind, timeout: TimeInterval = 10, retryFor: TimeInterval = 86400,
        template: TemplateSource? = nil, unsetVariables: [String] = [], shaping: Shaping = Shaping()
    ) {
        self.name = name
        self.kind = kind
        self.timeout = timeout
        self.retryFor = retryFor
        self.template = template
        self.unsetVariables = unsetVariables
        self.shaping = shaping
    }

    /// "webhook", "email", …: the type as `type:` writes it.
    public var typeName: String {
        switch kind {
        case .webhook: return "webhook"
        case .email: return "email"
        case .telegram: return "telegram"
        case .matrix: return "matrix"
        case .pagerduty: return "pagerduty"
        }
    }
}

/// A template as written in the configuration, with where it starts, for error messages.
public struct TemplateSource: Sendable, Equatable {
    public var text: String
    public var line: Int
    public var column: Int

    public init(text: String, line: Int, column: Int) {
        self.text = text
        self.line = line
        self.column = column
    }
}

/// `type: email`: SMTP over libcurl.
public struct EmailConfig: Sendable, Equatable {
    /// `smtps://host[:port]` (TLS), `smtp://host[:port]` (STARTTLS when offered; credentials only
    /// over TLS), or `smtp+insecure://host[:port]` (credentials allowed in clear).
    public var smtp: String
    public var username: String?
    /// Never printed.
    public var password: String?
    /// "Name <address>" or "address".
    public var from: String
    public var to: [String]
    /// The Mustache template of the Subject line; nil for "[RULE] TITLE".
    public var subject: TemplateSource?

    public init(
        smtp: String, username: String? = nil, password: String? = nil, from: String, to: [String],
        subject: TemplateSource? = nil
    ) {
        self.smtp = smtp
        self.username = username
        self.password = password
        self.from = from
        self.to = to
        self.subject = subject
    }
}

/// `type: telegram`: the Bot API's sendMessage.
public struct TelegramConfig: Sendable, Equatable {
    /// The bot token; never printed (it is also part of every request's URL).
    public var token: String
    /// A chat id ("-1001234567890") or a public channel ("@name").
    public var chat: String
    public var apiURL: String

    public init(token: String, chat: String, apiURL: String = "https://api.telegram.org") {
        self.token = token
        self.chat = chat
        self.apiURL = apiURL
    }
}

/// `type: matrix`: a message in a room, sent with an access token.
public struct MatrixConfig: Sendable, Equatable {
    public var homeserver: String
    /// A room id ("!abc:example.org") or alias ("#room:example.org").
    public var room: String
    /// Never printed.
    public var token: String

    public init(homeserver: String, room: String, token: String) {
        self.homeserver = homeserver
        self.room = room
        self.token = token
    }
}

/// `type: pagerduty`: an Events API v2 trigger per alert.
public struct PagerDutyConfig: Sendable, Equatable {
    /// Never printed.
    public var routingKey: String
    /// critical, error, warning or info.
    public var severity: String
    public var apiURL: String

    public static let severities = ["critical", "error", "warning", "info"]

    public init(routingKey: String, severity: String = "warning", apiURL: String = "https://events.pagerduty.com") {
        self.routingKey = routingKey
        self.severity = severity
        self.apiURL = apiURL
    }
}
