import FeedwatchAlert
import FeedwatchMatch

/// The two forms of `feedwatch explain`'s output: text for a person, one JSON document for scripts.
extension ExplainRunner.Explanation {
    /// One block per item (its title and link), then one line per rule:
    ///
    ///     item 1: Panne géante chez Facebook — https://news.example.org/a
    ///       outages: FIRES — "panne", "Facebook" in title: «Panne géante chez Facebook»
    ///       growth: does not fire — all: "Telegram" is missing (matched: "/\d+ millions/" in summary)
    public var text: String {
        var lines: [String] = []
        if let feed {
            let tags = feed.tags.isEmpty ? "" : " (tags: \(feed.tags.joined(separator: ", ")))"
            lines.append("\(source): read as feed \"\(feed.name)\"\(tags)")
        } else {
            lines.append("\(source): no configured feed has this URL: rules limited by feeds: do not apply to it")
        }
        if items.isEmpty { lines.append("no items") }
        for (index, explained) in items.enumerated() {
            let item = explained.item
            let title = item.title.isEmpty ? "(untitled)" : item.title
            lines.append("")
            lines.append("item \(index + 1): \(title)" + (item.link.isEmpty ? "" : " — \(item.link)"))
            for rule in explained.rules { lines.append("  " + Self.line(for: rule)) }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `NAME: FIRES — …` with each matched keyword, field and snippet, or `NAME: does not fire — …`
    /// with every reason.
    static func line(for rule: RuleExplanation) -> String {
        let positives = rule.any + rule.all
        if rule.fires {
            return "\(rule.rule): FIRES — " + placed(positives, verb: "in")
        }
        var reasons: [String] = []
        for reason in rule.reasons {
            switch reason {
            case .notForThisFeed:
                reasons.append(
                    "not for this feed (feeds: \(rule.feeds.joined(separator: ", ")))")
            case .noAnyMatched:
                reasons.append(
                    rule.any.count == 1
                        ? "any: \(quoted(rule.any[0].keyword)) did not match"
                        : "any: none of \(rule.any.map { quoted($0.keyword) }.joined(separator: ", ")) matched")
            case .allMissing(let missing):
                reasons.append(
                    "all: \(missing.map(quoted).joined(separator: ", ")) \(missing.count == 1 ? "is" : "are") missing")
            case .noneMatched:
                reasons.append("none: " + placed(rule.none, verb: "matched in"))
            }
        }
        let matched = positives.compactMap { keyword in
            keyword.place.map { "\(quoted(keyword.keyword)) in \($0.field.rawValue)" }
        }
        let also = matched.isEmpty ? "" : " (matched: \(matched.joined(separator: ", ")))"
        return "\(rule.rule): does not fire — " + reasons.joined(separator: "; ") + also
    }

    /// The matched keywords with field and snippet; keywords found in one stretch of text share it:
    /// `"panne", "Facebook" in title: «Panne géante chez Facebook»`.
    private static func placed(_ keywords: [KeywordExplanation], verb: String) -> String {
        var groups: [(keywords: [String], place: KeywordPlace)] = []
        for keyword in keywords {
            guard let place = keyword.place else { continue }
            if let last = groups.last, last.place == place {
                groups[groups.count - 1].keywords.append(keyword.keyword)
            } else {
                groups.append(([keyword.keyword], place))
            }
        }
        return groups.map { group in
            "\(group.keywords.map(quoted).joined(separator: ", ")) \(verb) \(group.place.field.rawValue): "
                + "«\(group.place.snippet)»"
        }.joined(separator: "; ")
    }

    private static func quoted(_ keyword: String) -> String { "\"\(keyword)\"" }

    /// The whole explanation as one line of JSON:
    ///
    ///     {"source": …, "feed": {"name", "url", "tags"} or null, "warnings": […],
    ///      "items": [{"id", "title", "link", "rules": [{"rule", "fires", "keywords", "snippet",
    ///        "for_this_feed", "feeds", "in", "any": [{"keyword", "matched", "field", "snippet"}], "all",
    ///        "none", "reasons": [{"reason": "not_for_this_feed" | "no_any_matched" | "all_missing" |
    ///        "none_matched", "keywords": […]}]}]}]}
    public var json: String {
        let feedValue: JSONWriter.Value =
            feed.map { feed in
                .object([
                    ("name", .string(feed.name)), ("url", .string(feed.source.url)),
                    ("tags", .array(feed.tags.map { .string($0) })),
                ])
            } ?? .null
        let itemValues: [JSONWriter.Value] = items.map { explained in
            .object([
                ("id", .string(explained.item.id)), ("title", .string(explained.item.title)),
                ("link", .string(explained.item.link)), ("rules", .array(explained.rules.map(Self.json(for:)))),
            ])
        }
        return JSONWriter.render(
            .object([
                ("source", .string(source)), ("feed", feedValue), ("warnings", .array(warnings.map { .string($0) })),
                ("items", .array(itemValues)),
            ]))
    }

    private static func json(for rule: RuleExplanation) -> JSONWriter.Value {
        func strings(_ values: [String]) -> JSONWriter.Value { .array(values.map { .string($0) }) }
        func keywords(_ list: [KeywordExplanation]) -> JSONWriter.Value {
            .array(
                list.map { keyword in
                    .object([
                        ("keyword", .string(keyword.keyword)), ("matched", .bool(keyword.matched)),
                        ("field", keyword.place.map { .string($0.field.rawValue) } ?? .null),
                        ("snippet", keyword.place.map { .string($0.snippet) } ?? .null),
                    ])
                })
        }
        let reasons: [JSONWriter.Value] = rule.reasons.map { reason in
            switch reason {
            case .notForThisFeed: .object([("reason", .string("not_for_this_feed"))])
            case .noAnyMatched: .object([("reason", .string("no_any_matched"))])
            case .allMissing(let missing):
                .object([("reason", .string("all_missing")), ("keywords", strings(missing))])
            case .noneMatched(let vetoes):
                .object([("reason", .string("none_matched")), ("keywords", strings(vetoes))])
            }
        }
        return .object([
            ("rule", .string(rule.rule)), ("fires", .bool(rule.fires)),
            ("keywords", strings(rule.match?.keywords ?? [])),
            ("snippet", rule.match.map { .string($0.snippet) } ?? .null),
            ("for_this_feed", .bool(rule.appliesToFeed)), ("feeds", strings(rule.feeds)),
            ("in", strings(rule.fields.map(\.rawValue))),
            ("any", keywords(rule.any)), ("all", keywords(rule.all)), ("none", keywords(rule.none)),
            ("reasons", .array(reasons)),
        ])
    }
}
