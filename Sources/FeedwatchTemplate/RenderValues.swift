import Mustache

// The values swift-mustache renders, answering `child(named:)` from the field tables rather than through
// `Mirror`: faster, and no name reaches a Swift property the templates were not promised.

/// The top level: the first alert's fields, with `alerts` and `count`.
struct GroupValue: MustacheParent {
    let alerts: [AlertValue]

    init(_ alerts: [TemplateAlert]) {
        self.alerts = alerts.map(AlertValue.init)
    }

    func child(named name: String) -> Any? {
        switch GroupField(rawValue: name) {
        case .alerts: return alerts
        case .count: return TextValue(String(alerts.count))
        case nil: return alerts.first?.child(named: name)
        }
    }
}

/// One alert. A class, so that its feed and item share it instead of copying a dozen strings.
final class AlertValue: MustacheParent {
    let alert: TemplateAlert

    init(_ alert: TemplateAlert) {
        self.alert = alert
    }

    func child(named name: String) -> Any? {
        switch AlertField(rawValue: name) {
        case .alertID: return TextValue(alert.alertID)
        case .rule: return TextValue(alert.rule)
        case .keywords: return TextListValue(alert.keywords)
        case .feed: return FeedValue(alert: self)
        case .item: return ItemValue(alert: self)
        case .detectedAt: return TextValue(alert.detectedAt)
        case nil: return nil
        }
    }
}

/// An alert's feed.
struct FeedValue: MustacheParent {
    let alert: AlertValue

    func child(named name: String) -> Any? {
        switch FeedField(rawValue: name) {
        case .name: return TextValue(alert.alert.feedName)
        case .url: return TextValue(alert.alert.feedURL)
        case .title: return TextValue(alert.alert.feedTitle)
        case nil: return nil
        }
    }
}

/// An alert's item.
struct ItemValue: MustacheParent {
    let alert: AlertValue

    func child(named name: String) -> Any? {
        switch ItemField(rawValue: name) {
        case .id: return TextValue(alert.alert.itemID)
        case .title: return TextValue(alert.alert.itemTitle)
        case .link: return TextValue(alert.alert.itemLink)
        case .summary: return TextValue(alert.alert.itemSummary)
        case .published: return TextValue(alert.alert.itemPublished ?? "")
        case nil: return nil
        }
    }
}

/// A text value. Empty text is "null" to swift-mustache, so a section over it is skipped and an inverted
/// section shown; it is never nil, so a lookup never climbs past it to an outer alert's value.
struct TextValue: MustacheCustomRenderable, MustacheParent {
    let text: String

    init(_ text: String) {
        self.text = text
    }

    var renderText: String { text }
    var isNull: Bool { text.isEmpty }
    func child(named name: String) -> Any? { nil }
}

/// A list of texts: `{{keywords}}` renders them joined with ", ", `{{#keywords}}` goes through them.
struct TextListValue: MustacheSequence, MustacheCustomRenderable, MustacheParent {
    let texts: [String]

    init(_ texts: [String]) {
        self.texts = texts
    }

    func makeIterator() -> some IteratorProtocol<TextValue> { texts.lazy.map(TextValue.init).makeIterator() }
    var renderText: String { texts.joined(separator: ", ") }
    var isNull: Bool { texts.isEmpty }
    func child(named name: String) -> Any? { nil }
}
