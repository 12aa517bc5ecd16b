import Mustache

/// A compiled template: a destination's `template:` or an e-mail's `subject:`, rendered over one alert or a
/// group of alerts.
///
/// Templates are Mustache. Names (see ``variables``) are looked up as Mustache does: `{{item.title}}`, or
/// `{{title}}` inside `{{#item}}…{{/item}}`; inside `{{#alerts}}…{{/alerts}}` the names are those of each
/// alert in turn, and the outer ones stay usable. A section over text shows when the text is not empty
/// (`{{#item.published}}published {{item.published}}{{/item.published}}`), an inverted one when it is
/// (`{{^item.link}}no link{{/item.link}}`); `{{#keywords}}{{.}}{{/keywords}}` goes through the keywords.
/// Comments `{{! … }}` are allowed. Partials, template inheritance, delimiter changes and pragmas are not.
///
/// Values are escaped for the target chosen at compilation (``TemplateEscaping``). `{{{name}}}` and
/// `{{& name}}` write a value without escaping: in a JSON body that breaks the JSON as soon as the value holds a
/// quote, a backslash or a line break, and in HTML it lets a feed inject markup; use them only for plain text.
public struct MessageTemplate: Sendable {
    private let template: MustacheTemplate
    /// Whether the compiled template has one character more than the user's, which rendering takes off.
    private let endsWithExtraCharacter: Bool

    /// Compiles and validates: a Mustache syntax error or an unknown variable throws.
    ///
    /// The error gives the line and column of the tag at fault within `source`, and says what to change.
    public init(_ source: String, escaping: TemplateEscaping) throws(TemplateError) {
        try TemplateScanner.validate(source)
        // swift-mustache fails on a template whose last character is a lone `{` (it reads two characters to look
        // for `{{`); one more character after it keeps it text, and is taken off the rendered text again.
        endsWithExtraCharacter = source.last == "{"
        template = try Self.compile(endsWithExtraCharacter ? source + Self.extraCharacter : source, escaping: escaping)
    }

    private static let extraCharacter = "_"

    /// Renders one alert (then {{#alerts}} iterates over that one alert and {{count}} is 1).
    public func render(_ alert: TemplateAlert) -> String {
        render(GroupValue([alert]))
    }

    /// Renders a group: top-level variables are those of the first alert; {{#alerts}}…{{/alerts}} iterates all;
    /// {{count}} is their number.
    ///
    /// An empty group renders the top-level variables empty and `{{count}}` as 0.
    public func render(group alerts: [TemplateAlert]) -> String {
        render(GroupValue(alerts))
    }

    private func render(_ group: GroupValue) -> String {
        let text = template.render(group)
        // The template's last text is the last thing rendered, so the extra character ends the text.
        guard endsWithExtraCharacter, text.hasSuffix(Self.extraCharacter) else { return text }
        return String(text.dropLast())
    }

    /// The variables a template may use, for error messages and documentation.
    ///
    /// `alerts` is a section over the alerts of a group, each with the same variables; `count` is their number.
    public static let variables: [String] = TemplateObject.group.qualifiedNames

    /// Compiles with swift-mustache, escaping for the target, and turns its parse errors into ``TemplateError``.
    ///
    /// The escaping is chosen by a `CONTENT_TYPE` pragma on a line of its own before the template: standing
    /// alone, that line leaves no trace in the output and keeps the template's first line a new line for
    /// Mustache's standalone-tag rule, where a pragma on the same line would swallow a leading line break and
    /// keep a first `{{#alerts}}` from standing alone. Error lines are one lower for it.
    static func compile(_ source: String, escaping: TemplateEscaping) throws(TemplateError) -> MustacheTemplate {
        EscapingContentTypes.register()
        let header = "{{% CONTENT_TYPE: \(escaping.contentTypeName)}}\n"
        do {
            return try MustacheTemplate(string: header + source)
        } catch let error as MustacheTemplate.ParserError {
            throw TemplateError(compiling: source, header: header, failure: error)
        } catch {
            throw TemplateError(line: 1, column: 1, message: "the template cannot be read: \(error)")
        }
    }
}
