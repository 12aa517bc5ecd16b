import CCurl
import Foundation

/// What one transfer (one redirect hop) asks of libcurl.
struct CurlTransferOptions {
    var url: String
    var method: String
    var headers: HTTPHeaders
    var body: Data?
    var userAgent: String?
    var timeoutMilliseconds: Int
    var connectTimeoutMilliseconds: Int
    var lowSpeedLimit: Int
    var lowSpeedTime: Int
    var maxBodySize: Int
    var allowFileURL: Bool
}

/// How one libcurl transfer ended.
enum CurlCompletion {
    case finished
    case failed(HTTPError)
}

/// One libcurl easy handle and the response it collects. Every `curl_easy_*` call lives here.
///
/// The handle is reused across transfers (`prepare` sets it up anew) so its allocations are paid once;
/// connections live in the multi handle's cache, so reuse across handles is unaffected.
final class CurlEasy {
    let handle: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var headerList: UnsafeMutablePointer<curl_slist>?

    // The response being collected; the callbacks below write here on the loop thread.
    private(set) var body = Data()
    private(set) var responseHeaders = HTTPHeaders()
    private var maxBodySize = Int.max
    private var bodyTooLarge = false
    private var options: CurlTransferOptions?
    /// Whether the next transfer must start from a reset handle. libcurl 7.88 counts the transfers
    /// it retried on a new connection after a kept one died, and gives up at the sixth; only
    /// `curl_easy_reset` sets that count back to zero. A retry opens a connection, so a handle whose
    /// last transfer opened none and succeeded has retried nothing.
    private var mustReset = true

    init?() {
        guard let handle = curl_easy_init() else { return nil }
        self.handle = handle
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
    }

    /// Sets the handle up for one transfer. A GET after a GET that reused its connection keeps the
    /// options every transfer shares and sets only those that may differ (a feed poll is almost
    /// always such a GET: `curl_easy_reset` and the shared options cost more than the rest of the
    /// set-up); any other transfer starts from a reset handle (see `mustReset`).
    func prepare(_ options: CurlTransferOptions) throws(HTTPError) {
        let keepsShared = !mustReset && (self.options.map { Self.sharesSettings($0, options) } ?? false)
        if !keepsShared { curl_easy_reset(handle) }
        body = Data()
        responseHeaders = HTTPHeaders()
        bodyTooLarge = false
        maxBodySize = options.maxBodySize
        errorBuffer[0] = 0

        var codes: [CURLcode] = []
        codes.reserveCapacity(24)
        func long(_ option: CURLoption, _ value: Int) { codes.append(ccurl_easy_setopt_long(handle, option, value)) }
        func string(_ option: CURLoption, _ value: String) {
            codes.append(value.withCString { ccurl_easy_setopt_string(handle, option, $0) })  // libcurl copies strings
        }

        if !keepsShared { setShared(long: long, string: string, other: { codes.append($0) }) }
        string(CURLOPT_URL, options.url)
        let previous = keepsShared ? self.options : nil
        if previous?.allowFileURL != options.allowFileURL {
            // Only the schemes the caller allowed (redirects: see `setShared`).
            string(CURLOPT_PROTOCOLS_STR, options.allowFileURL ? "http,https,file" : "http,https")
        }
        long(CURLOPT_TIMEOUT_MS, max(1, options.timeoutMilliseconds))
        if previous?.connectTimeoutMilliseconds != options.connectTimeoutMilliseconds {
            long(CURLOPT_CONNECTTIMEOUT_MS, max(1, options.connectTimeoutMilliseconds))
        }
        if previous?.lowSpeedLimit != options.lowSpeedLimit { long(CURLOPT_LOW_SPEED_LIMIT, options.lowSpeedLimit) }
        if previous?.lowSpeedTime != options.lowSpeedTime { long(CURLOPT_LOW_SPEED_TIME, options.lowSpeedTime) }
        if previous?.maxBodySize != options.maxBodySize {
            // Catches a declared Content-Length early; the write callback catches decompressed and chunked bodies.
            codes.append(
                ccurl_easy_setopt_offset(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(options.maxBodySize)))
        }
        // Wait for an HTTP/2 connection to multiplex on rather than open another (set either way:
        // a kept handle may come from an https transfer).
        long(CURLOPT_PIPEWAIT, options.url.hasPrefix("https:") ? 1 : 0)
        if previous?.userAgent != options.userAgent, let userAgent = options.userAgent {
            string(CURLOPT_USERAGENT, userAgent)
        }

        if !keepsShared {
            switch options.method.uppercased() {
            case "GET": long(CURLOPT_HTTPGET, 1)
            case "HEAD": long(CURLOPT_NOBODY, 1)
            case "POST": long(CURLOPT_POST, 1)
            default: string(CURLOPT_CUSTOMREQUEST, options.method)
            }
        }
        if let requestBody = options.body {
            codes.append(ccurl_easy_setopt_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(requestBody.count)))
            codes.append(
                requestBody.withUnsafeBytes { bytes in
                    // COPYPOSTFIELDS copies, so the Data need not outlive this call.
                    let empty: StaticString = ""
                    let pointer = bytes.baseAddress ?? UnsafeRawPointer(empty.utf8Start)
                    return ccurl_easy_setopt_pointer(
                        handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: pointer))
                })
        }

        var list: UnsafeMutablePointer<curl_slist>?
        for field in options.headers {
            list = curl_slist_append(list, "\(field.name): \(field.value)")
        }
        if options.body != nil {
            list = curl_slist_append(list, "Expect:")  // no 100-continue round trip before a webhook body
        }
        // The new list replaces the old one in the handle before the old one is freed.
        codes.append(ccurl_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, list))
        curl_slist_free_all(headerList)
        headerList = list
        self.options = options

        if let failed = codes.first(where: { $0 != CURLE_OK }) {
            // The next transfer starts from a reset handle, whatever this one left set.
            self.options = nil
            throw .other("could not set up the transfer: \(String(cString: curl_easy_strerror(failed)))")
        }
    }

    /// Whether `next` may keep the options `previous` left in the handle: both are GETs without a
    /// body and both set a User-Agent or neither does (libcurl has no way back to "none" short of a
    /// reset). Everything else `prepare` sets again when it differs.
    private static func sharesSettings(_ previous: CurlTransferOptions, _ next: CurlTransferOptions) -> Bool {
        previous.method == "GET" && next.method == "GET" && previous.body == nil && next.body == nil
            && (previous.userAgent == nil) == (next.userAgent == nil)
    }

    /// The options every transfer sets alike: kept from one GET to the next. `long` and `string`
    /// set an option; `other` takes the result of each other call.
    private func setShared(
        long: (CURLoption, Int) -> Void, string: (CURLoption, String) -> Void, other code: (CURLcode) -> Void
    ) {
        let me = Unmanaged.passUnretained(self).toOpaque()
        code(ccurl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer))
        long(CURLOPT_NOSIGNAL, 1)
        // Redirects are followed by us, hop by hop, so that we see each status and can drop
        // credentials when the host changes.
        string(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        long(CURLOPT_FOLLOWLOCATION, 0)
        long(CURLOPT_MAXREDIRS, HTTPRequest.maxRedirects)
        long(CURLOPT_SSL_VERIFYPEER, 1)
        long(CURLOPT_SSL_VERIFYHOST, 2)
        string(CURLOPT_ACCEPT_ENCODING, "")  // every encoding this libcurl decodes: gzip, deflate, br, zstd
        code(ccurl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, me))
        code(
            ccurl_easy_setopt_write_callback(handle) { data, size, count, context in
                guard let data, let context else { return 0 }
                let easy = Unmanaged<CurlEasy>.fromOpaque(context).takeUnretainedValue()
                return easy.receiveBody(UnsafeRawBufferPointer(start: data, count: size * count))
            })
        code(ccurl_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, me))
        code(
            ccurl_easy_setopt_header_callback(handle) { data, size, count, context in
                guard let data, let context else { return 0 }
                let easy = Unmanaged<CurlEasy>.fromOpaque(context).takeUnretainedValue()
                easy.receiveHeaderLine(UnsafeRawBufferPointer(start: data, count: size * count))
                return size * count
            })
    }

    private func receiveBody(_ chunk: UnsafeRawBufferPointer) -> Int {
        // Counting here is what bounds memory for a gzip bomb: libcurl inflates in small pieces.
        guard body.count + chunk.count <= maxBodySize else {
            bodyTooLarge = true
            return 0  // makes libcurl abort with CURLE_WRITE_ERROR
        }
        body.append(contentsOf: chunk)
        return chunk.count
    }

    private func receiveHeaderLine(_ bytes: UnsafeRawBufferPointer) {
        // Bytes, not Foundation: this runs for every header line of every poll.
        let line = Self.trimmed(bytes[...])
        if line.starts(with: Self.statusLinePrefix) {
            responseHeaders = HTTPHeaders()  // a new response (after 100 Continue, or a proxy's CONNECT reply)
            return
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return }
        let name = Self.trimmed(line[..<colon])
        let value = Self.trimmed(line[(colon + 1)...])
        responseHeaders.add(
            name: String(decoding: UnsafeRawBufferPointer(rebasing: name), as: UTF8.self),
            value: String(decoding: UnsafeRawBufferPointer(rebasing: value), as: UTF8.self))
    }

    private static let statusLinePrefix = Array("HTTP/".utf8)

    /// Without leading and trailing spaces, tabs, CR and LF (HTTP's optional whitespace and line end).
    private static func trimmed(_ bytes: Slice<UnsafeRawBufferPointer>) -> Slice<UnsafeRawBufferPointer> {
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end, isSpace(bytes[start]) { start += 1 }
        while end > start, isSpace(bytes[end - 1]) { end -= 1 }
        return bytes[start..<end]
    }

    /// The status of the finished transfer; 0 for a file: read.
    var responseCode: Int {
        var code = 0
        _ = ccurl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
        return code
    }

    /// The absolute URL of the Location header of a 3xx response, resolved by libcurl.
    var redirectURL: String? {
        var pointer: UnsafeMutablePointer<CChar>?
        guard ccurl_easy_getinfo_string(handle, CURLINFO_REDIRECT_URL, &pointer) == CURLE_OK, let pointer else {
            return nil
        }
        return String(cString: pointer)
    }

    /// Translates libcurl's result code into a completion, with a message a person can act on.
    func completion(for code: CURLcode) -> CurlCompletion {
        var connections = 0
        _ = ccurl_easy_getinfo_long(handle, CURLINFO_NUM_CONNECTS, &connections)
        mustReset = code != CURLE_OK || connections > 0
        if code == CURLE_OK { return .finished }
        let detail = errorBuffer[0] != 0 ? String(cString: errorBuffer) : String(cString: curl_easy_strerror(code))
        let options = self.options
        switch code {
        case CURLE_WRITE_ERROR where bodyTooLarge, CURLE_FILESIZE_EXCEEDED:
            return .failed(.tooLarge(maxSize: maxBodySize))
        case CURLE_OPERATION_TIMEDOUT:
            if detail.localizedCaseInsensitiveContains("too slow") {
                return .failed(
                    .tooSlow(bytesPerSecond: options?.lowSpeedLimit ?? 0, seconds: options?.lowSpeedTime ?? 0))
            }
            return .failed(.timeout(seconds: 0))  // the loop fills in the request's whole timeout
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .failed(.connectFailed(detail))
        case CURLE_TOO_MANY_REDIRECTS:
            return .failed(.tooManyRedirects(HTTPRequest.maxRedirects))
        default:
            return .failed(.other("\(detail) (curl error \(code.rawValue))"))
        }
    }

    /// Hands over the collected body and drops the handle's reference to it.
    func takeBody() -> Data {
        defer { body = Data() }
        return body
    }
}

/// Initialises libcurl once per process, before the first handle (curl_global_init is not
/// reentrant with older libcurl builds, so it is done here, under Swift's once-only static init).
enum CurlGlobal {
    static let initialised: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
}
