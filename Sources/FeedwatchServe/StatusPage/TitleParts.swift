import FeedwatchMatch

/// An alert title cut into runs, each marked where a keyword of the alert matched: the template
/// writes `<mark>` around the marked runs and escapes every run's text, so the highlighting adds
/// markup without ever letting the title's own characters become markup.
struct TitlePart {
    var text: String
    var mark: Bool

    static func parts(of title: String, keywords: [String]) -> [TitlePart] {
        var parts: [TitlePart] = []
        var position = title.startIndex
        for range in KeywordHighlights.ranges(of: keywords, in: title) {
            if position < range.lowerBound {
                parts.append(
                    TitlePart(
                        text: String(decoding: title.utf8[position..<range.lowerBound], as: UTF8.self), mark: false))
            }
            parts.append(TitlePart(text: String(decoding: title.utf8[range], as: UTF8.self), mark: true))
            position = range.upperBound
        }
        if position < title.endIndex || parts.isEmpty {
            parts.append(TitlePart(text: String(decoding: title.utf8[position...], as: UTF8.self), mark: false))
        }
        return parts
    }
}
