import Dispatch
import Foundation

/// Lets the main loop sleep until a deadline or until something happens (a poll finished, a
/// delivery finished, a signal arrived), whichever comes first. One reusable timer: an idle
/// daemon costs one wake-up per deadline, nothing in between.
final class Wakeup: @unchecked Sendable {
    private let lock = NSLock()
    private var pending = false
    private var waiter: CheckedContinuation<Void, Never>?
    /// When the current wait ends unless signalled.
    private var deadline = Date.distantFuture
    /// The earliest `signal(by:)` that came while nobody waited: the next wait ends by then.
    private var requested = Date.distantFuture
    private let timer: any DispatchSourceTimer
    private let queue = DispatchQueue(label: "feedwatch.wakeup")

    init() {
        timer = DispatchSource.makeTimerSource(queue: queue)
        timer.setEventHandler { [weak self] in self?.signal() }
        timer.schedule(deadline: .distantFuture)
        timer.resume()
    }

    deinit {
        timer.cancel()
    }

    /// Wakes the loop now, or makes its next wait return at once.
    func signal() {
        lock.lock()
        if let waiter {
            self.waiter = nil
            lock.unlock()
            waiter.resume()
        } else {
            pending = true
            lock.unlock()
        }
    }

    /// Makes the current (or next) wait end by `date` at the latest. Work that can wait a little
    /// calls this instead of `signal()`, so that many such events share one wake-up.
    func signal(by date: Date) {
        lock.lock()
        defer { lock.unlock() }
        guard waiter != nil else {
            requested = min(requested, date)
            return
        }
        guard date < deadline else { return }
        deadline = date
        timer.schedule(deadline: .now() + max(0, date.timeIntervalSinceNow), leeway: .milliseconds(1))
    }

    /// Returns at `deadline`, at the first `signal()` or when the task is cancelled, whichever is first.
    func wait(until deadline: Date) async {
        await withTaskCancellationHandler {
            await sleep(until: deadline)
        } onCancel: {
            signal()
        }
    }

    private func sleep(until deadline: Date) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            lock.lock()
            if pending {
                pending = false
                lock.unlock()
                continuation.resume()
                return
            }
            waiter = continuation
            let until = min(deadline, requested)
            requested = .distantFuture
            self.deadline = until
            let seconds = max(0, until.timeIntervalSinceNow)
            // Leeway lets the kernel coalesce this wake-up with others while idle.
            timer.schedule(deadline: .now() + seconds, leeway: .milliseconds(seconds > 10 ? 500 : 5))
            lock.unlock()
        }
    }
}
