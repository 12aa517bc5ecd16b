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
        var version: UInt64

        static func < (a: Entry, b: Entry) -> Bool { (a.due, a.name) < (b.due, b.name) }
    }

    private var heap = Heap<Entry>()
    /// Each feed's current version, shifted left by one, with the low bit set while the feed
    /// waits: one dictionary look-up per change instead of one in a version table and one in a set
    /// of waiting feeds. An entry of another version, or of a feed not waiting, is stale.
    private var slots: [String: UInt64] = [:]
    /// The last version handed out. One counter for all feeds, so that a feed removed and added
    /// again never takes a version an entry left behind still carries.
    private var lastVersion: UInt64 = 0
    /// Feeds waiting (in flight, gone and removed ones not counted).
    public private(set) var count = 0

    public init() {}

    /// Schedules `name` at `due`, replacing any earlier time; nil takes it out of the queue (in
    /// flight, gone, removed).
    public mutating func schedule(_ name: String, at due: Date?) {
        lastVersion += 1
        let old = slots.updateValue(lastVersion << 1 | (due == nil ? 0 : 1), forKey: name)
        if let old, old & 1 == 1 { count -= 1 }
        if let due {
            count += 1
            heap.insert(Entry(due: due, name: name, version: lastVersion))
        }
        compactIfMostlyStale()
    }

    /// Forgets `name` altogether (dropped from the configuration).
    public mutating func remove(_ name: String) {
        if let old = slots.removeValue(forKey: name), old & 1 == 1 { count -= 1 }
        compactIfMostlyStale()
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
        while taken.count < limit, let top = heap.min, top.due <= now {
            _ = heap.popMin()
            // One look-up: a current entry's feed stops waiting (its slot keeps the version); a
            // stale entry is dropped.
            guard let index = slots.index(forKey: top.name), slots.values[index] == top.version << 1 | 1 else {
                continue
            }
            slots.values[index] = top.version << 1
            count -= 1
            taken.append(top.name)
        }
        return taken
    }

    private mutating func dropStaleTop() {
        while let top = heap.min, !Self.isCurrent(top, slots[top.name]) {
            _ = heap.popMin()
        }
    }

    private static func isCurrent(_ entry: Entry, _ slot: UInt64?) -> Bool {
        slot == entry.version << 1 | 1
    }

    /// Stale entries cost memory only; when they outnumber the live ones the heap is rebuilt from
    /// the live ones (amortised O(1) per change).
    private mutating func compactIfMostlyStale() {
        guard heap.count > 1024, heap.count > 2 * count else { return }
        heap = Heap(heap.unordered.filter { Self.isCurrent($0, slots[$0.name]) })
    }
}
