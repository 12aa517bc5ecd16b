/// What `feeds_from:` gave, for `check` and the daemon's start-up line.
public struct FeedsFromSummary: Sendable, Equatable {
    /// The format of the file, recognised by its content.
    public enum Format: String, Sendable {
        /// One feed per line: `URL [NAME] [tag:TAG…]`.
        case list
        /// An OPML subscription export.
        case opml
    }

    /// The file as named in messages (relative to the working directory when the configuration's path is).
    public var path: String
    public var format: Format
    /// How many feeds it gave (after those of `feeds:`).
    public var feedCount: Int

    public init(path: String, format: Format, feedCount: Int) {
        self.path = path
        self.format = format
        self.feedCount = feedCount
    }
}
