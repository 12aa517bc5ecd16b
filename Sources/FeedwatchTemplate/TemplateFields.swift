// The names a template can use, shared by validation and rendering so that the two cannot disagree.
//
// A name is looked up the way Mustache does: its first part in the innermost section that has it, then
// outwards; the other parts (`item.title`) inside what the first part found.

/// What a name stands for, which decides where it may be used.
enum TemplateValueKind: Equatable {
    /// Text; empty text counts as absent in a section.
    case text
    /// A number (`count`), rendered as text.
    case number
    /// A list of texts (`keywords`): rendered joined with ", ", or gone through in a section.
    case textList
    /// A group of fields (`item`, `feed`): used in a dotted name or as a section.
    case object(TemplateObject)
    /// A list of objects (`alerts`): only as a section.
    case objectList(TemplateObject)
}

/// The objects templates see.
enum TemplateObject: Equatable {
    /// The top level: the (first) alert's fields, with `alerts` and `count`.
    case group
    /// One alert, as in `{{#alerts}}`.
    case alert
    /// An alert's feed.
    case feed
    /// An alert's item.
    case item

    /// What the field of that name stands for, or nil when the object has no such field.
    func field(named name: some StringProtocol) -> TemplateValueKind? {
        switch self {
        case .group:
            return GroupField(rawValue: String(name))?.kind ?? AlertField(rawValue: String(name))?.kind
        case .alert: return AlertField(rawValue: String(name))?.kind
        case .feed: return FeedField(rawValue: String(name)) != nil ? .text : nil
        case .item: return ItemField(rawValue: String(name)) != nil ? .text : nil
        }
    }

    /// Every name usable in this object, sub-fields dotted: `alert_id`, `feed.name`, …
    var qualifiedNames: [String] {
        switch self {
        case .group: return TemplateObject.alert.qualifiedNames + GroupField.allCases.map(\.rawValue)
        case .alert:
            return AlertField.allCases.flatMap { field -> [String] in
                if case .object(let object) = field.kind {
                    return object.qualifiedNames.map { "\(field.rawValue).\($0)" }
                }
                return [field.rawValue]
            }
        case .feed: return FeedField.allCases.map(\.rawValue)
        case .item: return ItemField.allCases.map(\.rawValue)
        }
    }
}

/// The fields of one alert.
enum AlertField: String, CaseIterable {
    case alertID = "alert_id"
    case rule
    case keywords
    case feed
    case item
    case detectedAt = "detected_at"

    var kind: TemplateValueKind {
        switch self {
        case .alertID, .rule, .detectedAt: return .text
        case .keywords: return .textList
        case .feed: return .object(.feed)
        case .item: return .object(.item)
        }
    }
}

/// The fields only the top level has.
enum GroupField: String, CaseIterable {
    case alerts
    case count

    var kind: TemplateValueKind {
        switch self {
        case .alerts: return .objectList(.alert)
        case .count: return .number
        }
    }
}

/// The fields of an alert's feed.
enum FeedField: String, CaseIterable {
    case name
    case url
    case title
}

/// The fields of an alert's item.
enum ItemField: String, CaseIterable {
    case id
    case title
    case link
    case summary
    case published
}
