import FeedwatchConfig
import FeedwatchState
import Foundation

/// Where finished polls wait for the polling loop, which takes them in batches.
///
/// A poll that brought no document (a 304, most polls of a long-running daemon) is handed over
/// straight from the HTTP thread: no task, no continuation, no hop onto the loop's actor each.
/// The loop is woken for a batch, not for each poll: at once when the loop has something to do
/// with them (room for waiting feeds, the last poll in flight done, alerts queued), otherwise
/// within `batchDelay` of the first poll of the batch.
final class FinishedPolls: @unchecked Sendable {
    /// One finished poll.
    struct Entry: Sendable {
        enum Stage: Sendable {
            /// Fetched without a document to record: the loop ends it (`FeedPoller.finish`).
            case fetched(PreparedPoll)
            /// Its document recorded (or not) by its own task.
            case recorded(PollReport)
        }

        var feed: FeedConfig
        /// The state the poll started from.
        var previous: FeedState?
        /// True when `previous` is the stored state (read for this poll), not one still waiting to
        /// be saved: a state that differs from it only in its times is saved as times alone.
        var previousIsStored = false
        var stage: Stage
        /// From the start of the fetch to here, for the poll-duration metric.
        var seconds: Double
    }

    /// How long a finished poll may wait for the loop when nothing is urgent: long enough to gather
    /// dozens of polls a wake-up at a thousand polls a second, short beside any feed's interval.
    static let batchDelay: TimeInterval = 0.02

    private let wakeup: Wakeup
    /// `batchDelay`, or another for a test that must tell a batch's wake-up from the others.
    private let delay: TimeInterval
    private let lock = NSLock()
    private var entries: [Entry] = []
    /// Polls started and not handed over yet.
    private var outstanding = 0
    /// Handed-over polls at which the loop wants waking at once.
    private var threshold = Int.max

    init(wakeup: Wakeup, batchDelay: TimeInterval = FinishedPolls.batchDelay) {
        self.wakeup = wakeup
        delay = batchDelay
    }

    /// Counts `count` polls as started: each must be handed over once with `add`.
    func started(_ count: Int) {
        lock.withLock { outstanding += count }
    }

    /// Hands over a finished poll, from any thread. `urgent` wakes the loop at once.
    func add(_ entry: Entry, urgent: Bool = false) {
        lock.lock()
        entries.append(entry)
        outstanding -= 1
        let now = urgent || outstanding == 0 || entries.count >= threshold
        let first = entries.count == 1
        lock.unlock()
        if now {
            wakeup.signal()
        } else if first {
            wakeup.signal(by: Date().addingTimeInterval(delay))
        }
    }

    /// Takes every poll handed over so far.
    func take() -> [Entry] {
        lock.withLock {
            let taken = entries
            entries.removeAll(keepingCapacity: true)
            return taken
        }
    }

    /// Asks for a wake-up as soon as `count` polls are waiting (the loop has room for more feeds
    /// then), or only after `batchDelay` (nil).
    func wakeAt(count: Int?) {
        lock.lock()
        threshold = count.map { max(1, $0) } ?? .max
        let reached = entries.count >= threshold
        lock.unlock()
        if reached { wakeup.signal() }
    }
}
