import CCurl

#if canImport(Glibc)
    import Glibc
#endif

/// A libcurl multi handle: drives every transfer from one thread. Every `curl_multi_*` call lives here.
///
/// Driven through libcurl's socket interface over epoll (see the shim): a wait costs what is
/// ready, not a look at every transfer's socket, and libcurl runs only the transfers whose
/// sockets are ready.
///
/// Only `wakeup()` may be called from another thread; everything else belongs to the loop thread.
final class CurlMulti: @unchecked Sendable {
    private let handle: UnsafeMutableRawPointer
    private let events: UnsafeMutablePointer<ccurl_events>
    private let epoll: Int32
    private let wakeFD: Int32

    init?(maxTotalConnections: Int, maxHostConnections: Int) {
        guard CurlGlobal.initialised, let handle = curl_multi_init() else { return nil }
        let epoll = ccurl_epoll_create()
        let wakeFD = ccurl_wake_fd_create()
        let events = UnsafeMutablePointer<ccurl_events>.allocate(capacity: 1)
        guard epoll >= 0, wakeFD >= 0, ccurl_events_start(events, handle, epoll, wakeFD) == 0 else {
            curl_multi_cleanup(handle)
            if epoll >= 0 { close(epoll) }
            if wakeFD >= 0 { close(wakeFD) }
            events.deallocate()
            return nil
        }
        self.handle = handle
        self.events = events
        self.epoll = epoll
        self.wakeFD = wakeFD
        _ = ccurl_multi_setopt_long(handle, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX)
        let idle = Self.idleConnectionLimit(
            maxTotalConnections: maxTotalConnections, descriptorLimit: Self.descriptorLimit())
        // The transfers in flight are capped by the loop; libcurl's own cap on open connections
        // counts the idle ones too, and at the cap it closes the oldest idle connection to open a
        // new one: it must leave room for the cache as well as for every transfer.
        _ = ccurl_multi_setopt_long(handle, CURLMOPT_MAX_TOTAL_CONNECTIONS, maxTotalConnections + idle)
        _ = ccurl_multi_setopt_long(handle, CURLMOPT_MAX_HOST_CONNECTIONS, maxHostConnections)
        _ = ccurl_multi_setopt_long(handle, CURLMOPT_MAXCONNECTS, idle)
    }

    /// How many connections the cache keeps open for reuse. Feeds are spread over many hosts (one
    /// site often serves hundreds of feeds from a few names, a hosting platform thousands) and each
    /// host comes back every few seconds: a cache as small as `concurrency` closes a host's
    /// connection before its next poll, and every poll then pays a new TCP (and TLS) handshake.
    /// Up to 1,024, at most a quarter of the descriptor limit; never fewer than the transfers in flight.
    static func idleConnectionLimit(maxTotalConnections: Int, descriptorLimit: Int) -> Int {
        max(maxTotalConnections, 8, min(1024, descriptorLimit / 4))
    }

    private static func descriptorLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        return Int(clamping: limit.rlim_cur)  // RLIM_INFINITY is the largest value: no limit
    }

    deinit {
        curl_multi_cleanup(handle)  // may still call the socket callback: the set goes after it
        close(epoll)
        close(wakeFD)
        events.deallocate()
    }

    func add(_ easy: CurlEasy) -> Bool { curl_multi_add_handle(handle, easy.handle) == CURLM_OK }

    func remove(_ easy: CurlEasy) { curl_multi_remove_handle(handle, easy.handle) }

    /// Runs what libcurl has due now (transfers just added start here).
    func perform() {
        ccurl_events_run_timeout(events)
    }

    /// Sleeps until a socket is ready, libcurl's next timeout, `wakeup()`, or `milliseconds`, and
    /// runs the transfers that can go on.
    func poll(milliseconds: Int32) {
        ccurl_events_wait(events, milliseconds)
    }

    /// Interrupts `poll` from any thread.
    func wakeup() { ccurl_wake(wakeFD) }

    /// The transfers that finished since the last call: the easy handle pointer and libcurl's result.
    func finishedTransfers() -> [(UnsafeMutableRawPointer, CURLcode)] {
        var finished: [(UnsafeMutableRawPointer, CURLcode)] = []
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(handle, &remaining) {
            if message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle {
                finished.append((easy, message.pointee.data.result))
            }
        }
        return finished
    }
}
