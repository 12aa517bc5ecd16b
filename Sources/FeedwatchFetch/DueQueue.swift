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
    /// Each feed's current version, shifted left by one, with the low bit set while the feed has
    /// a current entry: one dictionary look-up per change instead of one in a version table and
    /// one in a set of waiting feeds. An entry of another version, or of a feed not waiting, is stale.
    private var slots: [String: UInt32] = [:]
    /// Feeds waiting (in flight, gone and removed ones not counted).
    public private(set) var count = 0

    public init() {}

    /// Schedules `name` at `due`, replacing any earlier time; nil takes it out of the queue (in
    /// flight, gone, removed).
    public mutating func schedule(_ name: String, at due: Date?) {
        let version = Self.advance(&slots[name, default: 0], waiting: due != nil, count: &count)
        if let due { heap.insert(Entry(due: due, name: name, version: version)) }
        compactIfMostlyStale()
    }

    /// Forgets `name` altogether (dropped from the configuration).
    public mutating func remove(_ name: String) {
        schedule(name, at: nil)
        slots[name] = nil
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
            // Current: taken out (a new version, not waiting); stale: dropped. One look-up either way.
            var isCurrent = false
            if let index = slots.index(forKey: top.name) {
                slots.values[index] = Self.taken(
                    slots.values[index], entry: top.version, isCurrent: &isCurrent, count: &count)
            }
            if isCurrent { taken.append(top.name) }
        }
        return taken
    }

    private mutating func dropStaleTop() {
        while let top = heap.min, !Self.isCurrent(top, slots[top.name]) {
            _ = heap.popMin()
        }
    }

    private static func isCurrent(_ entry: Entry, _ slot: UInt32?) -> Bool {
        slot == entry.version << 1 | 1
    }

    /// The slot after its feed is taken out of the queue, if `entry` is its current one; the slot
    /// unchanged otherwise.
    private static func taken(_ slot: UInt32, entry version: UInt32, isCurrent: inout Bool, count: inout Int) -> UInt32
    {
        guard slot == version << 1 | 1 else { return slot }
        isCurrent = true
        count -= 1
        return ((version &+ 1) & versionMask) << 1
    }

    /// Versions wrap within 31 bits, the slot's upper bits.
    private static let versionMask: UInt32 = 0x7FFF_FFFF

    /// Moves a slot to its next version, waiting or not, and returns that version.
    private static func advance(_ slot: inout UInt32, waiting: Bool, count: inout Int) -> UInt32 {
        let version = ((slot >> 1) &+ 1) & versionMask
        if slot & 1 == 1 { count -= 1 }
        if waiting { count += 1 }
        slot = version << 1 | (waiting ? 1 : 0)
        return version
    }

    /// Stale entries cost memory only; when they outnumber the live ones the heap is rebuilt from
    /// the live ones (amortised O(1) per change).
    private mutating func compactIfMostlyStale() {
        guard heap.count > 1024, heap.count > 2 * count else { return }
        heap = Heap(heap.unordered.filter { Self.isCurrent($0, slots[$0.name]) })
    }
}
