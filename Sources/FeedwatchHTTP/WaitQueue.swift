/// A first-in first-out queue with O(1) removal at the front (an array and a head index), so
/// admitting from 10,000 waiting transfers does not shift the whole array each time.
struct WaitQueue<Element> {
    private var items: [Element] = []
    private var head = 0

    var isEmpty: Bool { head == items.count }

    mutating func append(_ item: Element) { items.append(item) }

    mutating func popFirst() -> Element? {
        guard head < items.count else { return nil }
        let item = items[head]
        head += 1
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 1024 && head * 2 >= items.count {
            items.removeFirst(head)  // compact once the consumed part dominates
            head = 0
        }
        return item
    }

    /// Every element still waiting, in order.
    var remaining: ArraySlice<Element> { items[head...] }
}
