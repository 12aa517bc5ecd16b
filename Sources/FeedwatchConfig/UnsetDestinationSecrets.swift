/// What an unset `${VAR}` inside `webhooks:` (or `destinations:`) does to a load.
///
/// Commands that only read the state (`state`, `outbox`, `once --dry-run`) never deliver, so
/// they must work on a machine or in a shell where the delivery secrets are not set (SPEC §1).
/// Everywhere else in the file an unset variable stays an error whatever this says.
public enum UnsetDestinationSecrets: Sendable, Equatable {
    /// An error, as anywhere else: for every command that delivers or validates (`run`, `once`,
    /// `check`, `webhook test`).
    case refused
    /// The value that uses it is left out, as if it were not written, and the variable's name is
    /// listed in `WebhookConfig.unsetVariables`: such a configuration must never be delivered with.
    case allowed
}
