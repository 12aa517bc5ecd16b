/// How values are escaped in the rendered text.
///
/// Only values are escaped: the template's own text is written as it is, so a JSON template writes its own
/// braces and quotes, and an HTML template its own tags.
public enum TemplateEscaping: Sendable {
    /// JSON string escaping, without the quotes: the template writes the quotes, as in `"title": "{{item.title}}"`.
    /// Quote, backslash and control characters are escaped (`\"`, `\\`, `\n`, `\u0001`…), and so are
    /// U+2028 and U+2029, which some JavaScript parsers take for line ends.
    case json
    /// HTML text and attribute escaping: `&`, `<`, `>`, `"` and `'` become character references.
    case html
    /// No escaping: values are written as they are.
    case plain
}

extension TemplateEscaping {
    /// The name of the swift-mustache content type that escapes for this target.
    var contentTypeName: String {
        switch self {
        case .json: return EscapingContentTypes.jsonName
        case .html: return EscapingContentTypes.htmlName
        case .plain: return EscapingContentTypes.plainName
        }
    }
}
