import FeedwatchConfig
import Foundation

/// When a new alert may go to a destination, and with which others (SPEC §5, Shaping).
public struct Hold: Sendable, Equatable {
    /// Why it waits.
    public enum Reason: String, Sendable {
        case group, digest, quiet
    }

    public var reason: Reason
    public var releaseAt: Date
    /// The alerts with the same key go as one message.
    public var groupKey: String

    /// The hold for an alert created at `created` for `destination`, or nil when it goes at once.
    /// A digest collects it until its period ends; quiet hours hold it (unless the rule is urgent)
    /// until they end, a digest that ends inside them too; otherwise `group_wait` opens a group, or
    /// joins `openGroup` when it is still open.
    public static func decide(
        created: Date, shaping: Shaping, urgent: Bool, destination: String, clock: ShapingClock,
        openGroup: (key: String, releaseAt: Date)?
    ) -> Hold? {
        var release: Date?
        var reason = Reason.group
        if let digest = shaping.digest {
            release = clock.digestEnd(after: created, digest)
            reason = .digest
        }
        if let quiet = shaping.quiet, !urgent, let end = clock.quietEnd(for: release ?? created, quiet) {
            release = end
            reason = .quiet
        }
        if let release {
            return Hold(
                reason: reason, releaseAt: release,
                groupKey: "\(reason.rawValue)|\(destination)|\(Int(release.timeIntervalSince1970))")
        }
        guard let wait = shaping.groupWait else { return nil }
        let prefix = groupPrefix(destination: destination, wait: wait)
        if let openGroup, openGroup.key.hasPrefix(prefix), created < openGroup.releaseAt {
            return Hold(reason: .group, releaseAt: openGroup.releaseAt, groupKey: openGroup.key)
        }
        return Hold(
            reason: .group, releaseAt: created.addingTimeInterval(wait),
            groupKey: prefix + String(Int((created.timeIntervalSince1970 * 1000).rounded())))
    }

    /// The key prefix of the groups `group_wait: wait` opens for a destination: a rule's other
    /// `group_wait` makes other groups.
    public static func groupPrefix(destination: String, wait: TimeInterval) -> String {
        "group|\(destination)|\(Int(wait))|"
    }
}
