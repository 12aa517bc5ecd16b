import Mustache

extension TemplateError {
    /// The error for a template swift-mustache refused, at the place it stopped reading.
    ///
    /// swift-mustache counts a column from the last LF only, so on a line after a CR LF its column runs on
    /// from the line before. Every line break is one character to Swift, so a copy with each one made an LF
    /// fails at the same character and gives a column that counts from the line's start.
    init(compiling source: String, header: String, failure: MustacheTemplate.ParserError) {
        var context = failure.context
        let unified = String(source.map { $0.isNewline ? "\n" : $0 })
        do {
            _ = try MustacheTemplate(string: header + unified)
        } catch let error as MustacheTemplate.ParserError {
            context = error.context
        } catch {}
        let headerLines = header.filter(\.isNewline).count
        self.init(
            line: max(1, context.lineNumber - headerLines), column: max(1, context.columnNumber),
            message: Self.plainWords(for: failure.error))
    }

    private static func plainWords(for error: Error) -> String {
        switch error as? MustacheTemplate.Error {
        case .sectionCloseNameIncorrect:
            return "this closing tag does not match the section that is open"
        case .unfinishedName:
            return "this tag is not closed with }}, or its name has characters no variable name has"
        case .expectedSectionEnd:
            return "a section is never closed: end it with {{/name}}"
        case .invalidSetDelimiter:
            return "changing the delimiters ({{=<% %>=}}) is not supported in feedwatch templates"
        case .transformAppliedToInheritanceSection, .illegalTokenInsideInheritSection, .textInsideInheritSection:
            return "template inheritance ({{< name}}, {{$ name}}) is not supported in feedwatch templates"
        case .invalidConfigVariableSyntax, .unrecognisedConfigVariable:
            return "pragmas ({{% … }}) are not supported in feedwatch templates"
        case nil:
            return "the template ends inside a tag: close it with }}"
        }
    }
}
