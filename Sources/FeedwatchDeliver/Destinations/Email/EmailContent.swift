import FeedwatchAlert

/// What an alert e-mail says: its Subject line, its text part and its HTML part, each made from the
/// alerts the message carries (one, or a group or digest).
///
/// This is where a destination's `subject:` and `template:` plug in: each is a closure, and the ones
/// not given are the default shapes of `EmailDefaultContent`. Whatever a closure returns, the
/// message puts the Subject on one line and encodes it, so no text can add a header; a closure that
/// makes HTML escapes the values it inserts (the Mustache renderer does, for its `html` target).
public struct EmailContent: Sendable {
    /// The Subject text (plain text: not encoded, not escaped).
    public var subject: @Sendable ([Alert]) -> String
    /// The text/plain part.
    public var text: @Sendable ([Alert]) -> String
    /// The text/html part: a whole document, or a fragment (shown as is).
    public var html: @Sendable ([Alert]) -> String

    /// The default shapes, with any of them replaced.
    public init(
        subject: (@Sendable ([Alert]) -> String)? = nil, text: (@Sendable ([Alert]) -> String)? = nil,
        html: (@Sendable ([Alert]) -> String)? = nil
    ) {
        self.subject = subject ?? EmailDefaultContent.subject
        self.text = text ?? EmailDefaultContent.text
        self.html = html ?? EmailDefaultContent.html
    }
}
