import Mustache

/// A Mustache template for a whole HTML page written by feedwatch itself (the status page), escaping
/// every value exactly as the HTML of destination templates is escaped (``TemplateEscaping/html``).
///
/// Unlike ``MessageTemplate``, which checks a user's template against the alert's fields, this one
/// renders any value swift-mustache can read (structs by their property names, arrays as sections,
/// `Bool` as a condition): the program's own template over the program's own view model.
/// `{{{name}}}` is not for feed text: it writes the value unescaped.
public struct HTMLPageTemplate: Sendable {
    private let template: MustacheTemplate

    /// Compiles `source`; throws ``TemplateError`` with the line and column of a syntax error.
    public init(_ source: String) throws(TemplateError) {
        template = try MessageTemplate.compile(source, escaping: .html)
    }

    /// The page for `value`.
    public func render(_ value: Any) -> String {
        template.render(value)
    }
}
