/// Where and why a template is wrong: line and column within the template text (1-based).
///
/// Lines end at LF, CR LF or CR (or another Unicode line separator); columns count characters as a person
/// sees them (an accented letter or an emoji is one column). The configuration adds the template's own place
/// in the file to make `FILE:LINE:COL`.
public struct TemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The line of the tag at fault, 1 for the template's first line.
    public var line: Int
    /// The column of the tag at fault, 1 for the first character of its line.
    public var column: Int
    /// What is wrong and how to put it right, e.g. `unknown variable "item.titel" (variables: alert_id, …)`.
    public var message: String

    /// Makes an error at a place in the template.
    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    /// `LINE:COL: message`.
    public var description: String { "\(line):\(column): \(message)" }
}
