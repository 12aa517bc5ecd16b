import Foundation
import HeapModule

/// The feeds waiting for their next poll, ordered by due time: what is due is found in O(log n) per
/// feed, never by looking at every feed. A feed rescheduled or removed leaves its old entry behind,
/// marked stale by a version number and dropped when it reaches the top, so every change is one
/// insertion.
public struct DueQueue: Sendable {
    private struct Entry: Comparable, Sendable {
        var due: Date
        var name: String
        var version: UInt32

        static func < (a: Entry, b: Entry) -> Bool { (a.due, a.name) < (b.due, b.name) }
    }

    private var heap = Heap<Entry>()
    /// Each feed's current version; an entry of another version is stale.
    private var versions: [String: UInt32] = [:]
    /// Feeds with a current entry.
    private var scheduled: Set<String> = []

    public init() {}

    /// Feeds waiting (in flight, gone and removed ones not counted).
    public var count: Int { scheduled.count }

    /// Schedules `name` at `due`, replacing any earlier time; nil takes it out of the queue (in
    /// flight, gone, removed).
    public mutating func schedule(_ name: String, at due: Date?) {
        let version = (versions[name] ?? 0) &+ 1
        versions[name] = version
        guard let due else {
            scheduled.remove(name)
            compactIfMostlyStale()
            return
        }
        scheduled.insert(name)
        heap.insert(Entry(due: due, name: name, version: version))
        compactIfMostlyStale()
    }

    /// Forgets `name` altogether (dropped from the configuration).
    public mutating func remove(_ name: String) {
        schedule(name, at: nil)
        versions[name] = nil
    }

    /// When the earliest waiting feed is due, or nil when none waits.
    public mutating func earliestDue() -> Date? {
        dropStaleTop()
        return heap.min?.due
    }

    /// Takes out the feeds due at `now`, earliest first, at most `limit`: they are in flight until
    /// scheduled again.
    public mutating func takeDue(now: Date, limit: Int = .max) -> [String] {
        var taken: [String] = []
        while taken.count < limit {
            dropStaleTop()
            guard let top = heap.min, top.due <= now else { break }
            _ = heap.popMin()
            versions[top.name] = top.version &+ 1
            scheduled.remove(top.name)
            taken.append(top.name)
        }
        return taken
    }

    private mutating func dropStaleTop() {
        while let top = heap.min, versions[top.name] != top.version || !scheduled.contains(top.name) {
            _ = heap.popMin()
        }
    }

    /// Stale entries cost memory only; when they outnumber the live ones the heap is rebuilt from
    /// the live ones (amortised O(1) per change).
    private mutating func compactIfMostlyStale() {
        guard heap.count > 1024, heap.count > 2 * scheduled.count else { return }
        heap = Heap(heap.unordered.filter { versions[$0.name] == $0.version && scheduled.contains($0.name) })
    }
}
