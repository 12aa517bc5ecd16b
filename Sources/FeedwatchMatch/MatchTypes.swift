/// A part of a feed item that a rule may search (`in:` in the configuration).
public enum MatchField: String, Sendable, CaseIterable {
    case title, summary, content, categories, author, link

    /// The fields searched when a rule gives no `in:`.
    public static let defaultFields: Set<MatchField> = [.title, .summary, .content, .categories]

    /// Position in `allCases`: also the order in which fields are searched and snippets preferred.
    var index: Int {
        switch self {
        case .title: 0
        case .summary: 1
        case .content: 2
        case .categories: 3
        case .author: 4
        case .link: 5
        }
    }

    var bit: UInt8 { 1 << UInt8(index) }

    /// `allCases`, built once (the synthesised `allCases` builds a new array on every call).
    static let ordered: [MatchField] = allCases
}

/// One keyword rule as configured (`rules:` in the configuration), keywords as written.
public struct RuleSpec: Sendable {
    public var name: String
    /// At least one must match (ignored when empty).
    public var any: [String]
    /// Every one must match.
    public var all: [String]
    /// None may match.
    public var none: [String]
    /// Where to search; empty means `MatchField.defaultFields`.
    public var fields: Set<MatchField>
    /// Feed names or `tag:NAME`; empty means every feed.
    public var feeds: [String]

    public init(
        name: String, any: [String] = [], all: [String] = [], none: [String] = [],
        fields: Set<MatchField> = MatchField.defaultFields, feeds: [String] = []
    ) {
        self.name = name
        self.any = any
        self.all = all
        self.none = none
        self.fields = fields
        self.feeds = feeds
    }
}

/// The text of one feed item, as plain text (markup removed), that rules are matched against.
public struct MatchInput: Sendable {
    public var title: String
    public var summary: String
    public var content: String
    public var link: String
    public var categories: [String]
    public var authors: [String]

    public init(
        title: String = "", summary: String = "", content: String = "", link: String = "",
        categories: [String] = [], authors: [String] = []
    ) {
        self.title = title
        self.summary = summary
        self.content = content
        self.link = link
        self.categories = categories
        self.authors = authors
    }

    /// How many texts field `field` has; list fields have one segment per element, so no phrase spans two.
    @inline(__always) func segmentCount(of field: MatchField) -> Int {
        switch field {
        case .categories: categories.count
        case .author: authors.count
        default: 1
        }
    }

    /// Text `index` (below `segmentCount(of: field)`) of field `field`.
    @inline(__always) func segment(_ field: MatchField, _ index: Int) -> String {
        switch field {
        case .title: title
        case .summary: summary
        case .content: content
        case .categories: categories[index]
        case .author: authors[index]
        case .link: link
        }
    }
}

/// A rule that fired for an item.
public struct RuleMatch: Sendable, Equatable {
    /// The rule's name.
    public var rule: String
    /// The keywords that matched, as written in the rule: its `any:` ones, then its `all:` ones, in rule order.
    public var keywords: [String]
    /// The first match with some context around it, from the original text, e.g. `…sur fond de panne de Facebook…`.
    ///
    /// Made when read, from the matched text and the match's place in it, so that an item firing many
    /// rules costs no snippet per rule; a `RuleMatch` keeps that text alive.
    public var snippet: String {
        get {
            switch source {
            case .text(let text): text
            case .around(let text, let start, let end): Snippet.around(text, start: Int(start), end: Int(end))
            }
        }
        set { source = .text(newValue) }
    }

    /// The snippet, or the text and UTF-8 range it is cut around.
    enum SnippetSource: Sendable {
        case text(String)
        case around(String, start: Int32, end: Int32)
    }
    var source: SnippetSource

    public init(rule: String, keywords: [String], snippet: String) {
        self.rule = rule
        self.keywords = keywords
        source = .text(snippet)
    }

    init(rule: String, keywords: [String], source: SnippetSource) {
        self.rule = rule
        self.keywords = keywords
        self.source = source
    }

    /// Equal when rule, keywords and snippet text are equal, however the snippet is held.
    public static func == (a: RuleMatch, b: RuleMatch) -> Bool {
        a.rule == b.rule && a.keywords == b.keywords && a.snippet == b.snippet
    }
}

/// A keyword of a rule that cannot be compiled.
public struct KeywordError: Error, CustomStringConvertible {
    public var rule: String
    public var keyword: String
    /// A one-line message naming the rule, the keyword and what is wrong.
    public var description: String

    public init(rule: String, keyword: String, description: String) {
        self.rule = rule
        self.keyword = keyword
        self.description = description
    }
}
