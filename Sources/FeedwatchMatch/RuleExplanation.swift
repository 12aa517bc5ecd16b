/// Why one rule fires or does not fire for one item, as `RuleMatcher` decided it (`feedwatch explain`).
///
/// Made by `RuleMatcher.explain` from the same scan and the same evaluation as `RuleMatcher.matches`:
/// `match` is exactly what `matches` returns for this rule and item, and each keyword's place is where
/// the matcher found it.
public struct RuleExplanation: Sendable, Equatable {
    /// The rule's name.
    public var rule: String
    /// The rule's `feeds:` selectors as written (names and `tag:NAME`); empty means every feed.
    public var feeds: [String]
    /// The fields the rule searches (`in:`), in search order.
    public var fields: [MatchField]
    /// False when the rule's `feeds:` selectors leave this feed out: it cannot fire here.
    public var appliesToFeed: Bool
    /// The rule's `any:` keywords, in rule order, each with where it matched (if it did).
    public var any: [KeywordExplanation]
    /// The rule's `all:` keywords, in rule order.
    public var all: [KeywordExplanation]
    /// The rule's `none:` keywords, in rule order.
    public var none: [KeywordExplanation]
    /// The match `RuleMatcher.matches` gives for this item, or nil when the rule does not fire.
    public var match: RuleMatch?

    /// Whether the rule fires for the item.
    public var fires: Bool { match != nil }

    /// Why a rule does not fire; a rule may fail for several reasons at once.
    public enum Reason: Sendable, Equatable {
        /// The rule's `feeds:` selectors do not name this feed nor one of its tags.
        case notForThisFeed
        /// The rule has `any:` keywords and none of them matched.
        case noAnyMatched
        /// These `all:` keywords (as written) did not match.
        case allMissing([String])
        /// These `none:` keywords (as written) matched, which vetoes the rule.
        case noneMatched([String])
    }

    /// Every reason the rule does not fire, in the order above; empty when it fires.
    public var reasons: [Reason] {
        if fires { return [] }
        var reasons: [Reason] = []
        if !appliesToFeed { reasons.append(.notForThisFeed) }
        if !any.isEmpty && !any.contains(where: \.matched) { reasons.append(.noAnyMatched) }
        let missing = all.filter { !$0.matched }.map(\.keyword)
        if !missing.isEmpty { reasons.append(.allMissing(missing)) }
        let vetoes = none.filter(\.matched).map(\.keyword)
        if !vetoes.isEmpty { reasons.append(.noneMatched(vetoes)) }
        return reasons
    }
}

/// One keyword of a rule and where, if anywhere, it matched in the fields the rule searches.
public struct KeywordExplanation: Sendable, Equatable {
    /// The keyword as written in the rule.
    public var keyword: String
    /// Its first match in field order (the order snippets are chosen in), or nil when it did not match.
    public var place: KeywordPlace?

    /// Whether the keyword matched in one of the rule's fields.
    public var matched: Bool { place != nil }

    public init(keyword: String, place: KeywordPlace?) {
        self.keyword = keyword
        self.place = place
    }
}

/// Where a keyword matched: the field, and the match with some context around it.
public struct KeywordPlace: Sendable, Equatable {
    public var field: MatchField
    /// The match with about 50 characters each side, cut at word boundaries (as an alert's snippet).
    public var snippet: String

    public init(field: MatchField, snippet: String) {
        self.field = field
        self.snippet = snippet
    }
}
