import Foundation

/// Runs `work` for the indices `0..<count` on worker threads and hands the results back in the
/// order of the indices, for work that can be done apart but must be added in order (the pieces
/// of a long `feeds:` list, the parts of a `feeds_from:` list). Workers run at most `ahead` indices
/// past the result being taken, so that no more partial results are alive than that.
final class OrderedWork<Result: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private let count: Int
    private let ahead: Int
    private let work: @Sendable (Int) -> Result
    private var next = 0
    private var taken = 0
    private var stopped = false
    private var results: [Int: Result] = [:]

    /// Starts the workers: one per core (at most 8), fewer when there is less work.
    init(count: Int, work: @escaping @Sendable (Int) -> Result) {
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8, count))
        self.count = count
        self.ahead = 2 * workers
        self.work = work
        for _ in 0..<workers {
            Thread.detachNewThread { [self] in
                while let index = nextIndex() { deliver(work(index), for: index) }
            }
        }
    }

    /// Waits for the result of `index`; call it for 0, 1, 2… in turn.
    func result(for index: Int) -> Result {
        condition.lock()
        defer { condition.unlock() }
        while results[index] == nil { condition.wait() }
        taken = index + 1
        condition.broadcast()
        return results.removeValue(forKey: index)!
    }

    /// Hands out no more work (the results still to come are not wanted).
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    private func nextIndex() -> Int? {
        condition.lock()
        defer { condition.unlock() }
        while !stopped && next < count && next >= taken + ahead { condition.wait() }
        guard !stopped && next < count else { return nil }
        next += 1
        return next - 1
    }

    private func deliver(_ result: Result, for index: Int) {
        condition.lock()
        results[index] = result
        condition.broadcast()
        condition.unlock()
    }
}
