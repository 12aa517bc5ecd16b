import Dispatch
import Foundation

/// The event loop: one thread running libcurl's multi interface for every transfer of one client.
///
/// Other threads only touch `inbox` and `stopping` (under `lock`) and call `multi.wakeup()`;
/// everything else is owned by the loop thread. Limits are enforced here, by admitting waiting
/// transfers into the multi handle only while the total and the per-host counts are below the caps,
/// so they hold for HTTP/2 streams as well as for connections.
final class TransferLoop: @unchecked Sendable {
    private let multi: CurlMulti
    private let concurrency: Int
    private let perHost: Int

    private let lock = NSLock()
    private var inbox: [Transfer] = []
    private var stopping = false
    private var loopThread: pthread_t?
    private let exited = DispatchSemaphore(value: 0)

    // Loop thread only.
    private var waiting: [String: WaitQueue<Transfer>] = [:]
    private var waitingHosts: [String] = []
    private var activeTotal = 0
    private var activePerHost: [String: Int] = [:]
    private var active: [UnsafeMutableRawPointer: (easy: CurlEasy, transfer: Transfer)] = [:]
    private var idleHandles: [CurlEasy] = []

    init?(concurrency: Int, perHost: Int) {
        self.concurrency = max(1, concurrency)
        self.perHost = max(1, min(perHost, concurrency))
        guard let multi = CurlMulti(maxTotalConnections: self.concurrency, maxHostConnections: self.perHost) else {
            return nil
        }
        self.multi = multi
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "feedwatch-http"
        thread.start()
    }

    /// Queues a transfer from any thread.
    func submit(_ transfer: Transfer) {
        lock.lock()
        if stopping {
            lock.unlock()
            transfer.completion(.failure(.cancelled))
            return
        }
        // The loop takes the whole inbox at once: only the transfer that finds it empty needs to
        // wake it (a burst of polls costs one wake-up, not one each).
        let wasEmpty = inbox.isEmpty
        inbox.append(transfer)
        lock.unlock()
        if wasEmpty { multi.wakeup() }
    }

    /// Stops the loop, failing unfinished transfers with `.cancelled`; waits for the thread unless
    /// called from it.
    func stop() {
        lock.lock()
        let alreadyStopping = stopping
        stopping = true
        let onLoopThread = loopThread.map { pthread_equal($0, pthread_self()) != 0 } ?? false
        let started = loopThread != nil
        lock.unlock()
        guard !alreadyStopping else { return }
        multi.wakeup()
        if started && !onLoopThread { exited.wait() }
    }

    private func run() {
        lock.lock()
        loopThread = pthread_self()
        lock.unlock()
        while true {
            lock.lock()
            let arrived = inbox
            inbox.removeAll(keepingCapacity: true)
            let stop = stopping
            lock.unlock()
            if stop {
                cancelEverything(plus: arrived)
                break
            }
            arrived.forEach(enqueue)
            admit()
            multi.perform()
            if !handleFinished() {
                multi.poll(milliseconds: 1000)
            }
        }
        exited.signal()
    }

    private func enqueue(_ transfer: Transfer) {
        let host = transfer.hostKey
        if waiting[host] == nil {
            waiting[host] = WaitQueue()
            waitingHosts.append(host)
        }
        waiting[host]?.append(transfer)
    }

    /// Starts waiting transfers while the total and per-host caps allow, oldest first per host.
    private func admit() {
        var index = 0
        while activeTotal < concurrency && index < waitingHosts.count {
            let host = waitingHosts[index]
            // Taken out of the dictionary so it is uniquely referenced and mutates without a copy.
            guard var queue = waiting.removeValue(forKey: host) else {
                waitingHosts.remove(at: index)
                continue
            }
            let room = min(perHost - activePerHost[host, default: 0], concurrency - activeTotal)
            var starting: [Transfer] = []
            while starting.count < room, let next = queue.popFirst() { starting.append(next) }
            if queue.isEmpty {
                waitingHosts.remove(at: index)
            } else {
                waiting[host] = queue
                index += 1
            }
            starting.forEach(startHop)
        }
    }

    private func startHop(_ transfer: Transfer) {
        let now = DispatchTime.now().uptimeNanoseconds
        let deadline = transfer.deadline ?? now + UInt64(max(0, transfer.request.timeout) * 1e9)
        transfer.deadline = deadline
        guard deadline > now else {
            return transfer.completion(.failure(.timeout(seconds: transfer.request.timeout)))
        }
        guard let easy = idleHandles.popLast() ?? CurlEasy() else {
            return transfer.completion(.failure(.other("could not create a libcurl handle (out of memory?)")))
        }
        let request = transfer.request
        let options = CurlTransferOptions(
            url: transfer.url.absoluteString, method: transfer.method, headers: transfer.headers,
            body: transfer.body, userAgent: request.userAgent,
            timeoutMilliseconds: Int((deadline - now) / 1_000_000),
            connectTimeoutMilliseconds: Int(request.connectTimeout * 1000),
            lowSpeedLimit: request.lowSpeedLimit, lowSpeedTime: request.lowSpeedTime,
            maxBodySize: request.maxBodySize,
            allowFileURL: request.allowFileURL && transfer.redirectCount == 0)
        do {
            try easy.prepare(options)
        } catch {
            idleHandles.append(easy)
            return transfer.completion(.failure(error))
        }
        guard multi.add(easy) else {
            idleHandles.append(easy)
            return transfer.completion(.failure(.other("libcurl refused the transfer")))
        }
        active[easy.handle] = (easy, transfer)
        activeTotal += 1
        activePerHost[transfer.hostKey, default: 0] += 1
    }

    /// Completes or redirects every finished transfer; says whether there were any.
    private func handleFinished() -> Bool {
        let finished = multi.finishedTransfers()
        for (handle, code) in finished {
            guard let (easy, transfer) = active.removeValue(forKey: handle) else { continue }
            multi.remove(easy)
            activeTotal -= 1
            let host = transfer.hostKey
            activePerHost[host, default: 1] -= 1
            if activePerHost[host] == 0 { activePerHost[host] = nil }
            let outcome = easy.completion(for: code)
            let status = easy.responseCode
            let location = easy.redirectURL
            let headers = easy.responseHeaders
            let body = easy.takeBody()
            idleHandles.append(easy)

            switch outcome {
            case .failed(.timeout):
                transfer.completion(.failure(.timeout(seconds: transfer.request.timeout)))
            case .failed(let error):
                transfer.completion(.failure(error))
            case .finished:
                if transfer.request.followRedirects, Transfer.followedStatuses.contains(status), let location {
                    if let refusal = transfer.redirect(status: status, location: location) {
                        transfer.completion(.failure(refusal))
                    } else {
                        enqueue(transfer)
                    }
                    continue
                }
                let response = HTTPResponse(
                    status: status == 0 && transfer.url.isFileURL ? 200 : status, headers: headers, body: body,
                    finalURL: transfer.url, permanentRedirectURL: transfer.permanentRedirectURL,
                    redirectCount: transfer.redirectCount)
                transfer.completion(.success(response))
            }
        }
        return !finished.isEmpty
    }

    private func cancelEverything(plus arrived: [Transfer]) {
        for (easy, transfer) in active.values {
            multi.remove(easy)
            transfer.completion(.failure(.cancelled))
        }
        active.removeAll()
        for host in waitingHosts {
            waiting[host]?.remaining.forEach { $0.completion(.failure(.cancelled)) }
        }
        waiting.removeAll()
        waitingHosts.removeAll()
        arrived.forEach { $0.completion(.failure(.cancelled)) }
        idleHandles.removeAll()
    }
}
