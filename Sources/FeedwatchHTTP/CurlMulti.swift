import CCurl

/// A libcurl multi handle: drives every transfer from one thread. Every `curl_multi_*` call lives here.
///
/// Only `wakeup()` may be called from another thread; everything else belongs to the loop thread.
final class CurlMulti: @unchecked Sendable {
    private let handle: UnsafeMutableRawPointer

    init?(maxTotalConnections: Int, maxHostConnections: Int) {
        guard CurlGlobal.initialised, let handle = curl_multi_init() else { return nil }
        self.handle = handle
        _ = ccurl_multi_setopt_long(handle, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX)
        _ = ccurl_multi_setopt_long(handle, CURLMOPT_MAX_TOTAL_CONNECTIONS, maxTotalConnections)
        _ = ccurl_multi_setopt_long(handle, CURLMOPT_MAX_HOST_CONNECTIONS, maxHostConnections)
        // Keep enough idle connections cached for every slot to be reused.
        _ = ccurl_multi_setopt_long(handle, CURLMOPT_MAXCONNECTS, max(maxTotalConnections, 8))
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
