/// A fatal error of a one-shot command (`parse`, `explain`, `discover`): one line for stderr, exit 1.
public struct CommandFailure: Error, CustomStringConvertible {
    public var description: String

    public init(description: String) {
        self.description = description
    }
}
