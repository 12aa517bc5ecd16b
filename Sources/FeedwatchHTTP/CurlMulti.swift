import CCurl

#if canImport(Glibc)
    import Glibc
#endif

/// A libcurl multi handle: drives every transfer from one thread. Every `curl_multi_*` call lives here.
///
/// Only `wakeup()` may be called from another thread; everything else belongs to the loop thread.
final class CurlMulti: @unchecked Sendable {
    private let handle: UnsafeMutableRawPointer

    init?(maxTotalConnections: Int, maxHostConnections: Int) {
        guard CurlGlobal.initialised, let handle = curl_multi_init() else { return nil }
        self.handle = handle
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

    deinit { curl_multi_cleanup(handle) }

    func add(_ easy: CurlEasy) -> Bool { curl_multi_add_handle(handle, easy.handle) == CURLM_OK }

    func remove(_ easy: CurlEasy) { curl_multi_remove_handle(handle, easy.handle) }

    /// Runs every transfer as far as it can go without blocking.
    func perform() {
        var running: Int32 = 0
        _ = curl_multi_perform(handle, &running)
    }

    /// Sleeps until a socket is ready, libcurl's next timeout, `wakeup()`, or `milliseconds`.
    func poll(milliseconds: Int32) {
        _ = curl_multi_poll(handle, nil, 0, milliseconds, nil)
    }

    /// Interrupts `poll` from any thread.
    func wakeup() { _ = curl_multi_wakeup(handle) }

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
