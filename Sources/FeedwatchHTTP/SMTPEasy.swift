import CCurl
import Foundation

/// What an `SMTPEasy` is set up with once, for every message it sends.
struct SMTPSessionOptions {
    var endpoint: SMTPEndpoint
    var username: String?
    var password: String?
    /// PEM file of the certificate authorities to trust instead of the system's.
    var caFile: String?
    var timeoutMilliseconds: Int
    var connectTimeoutMilliseconds: Int
}

/// One libcurl easy handle speaking SMTP. Every `curl_easy_*` call of the SMTP client lives here.
///
/// The handle is kept from one message to the next: libcurl keeps the SMTP session of the last
/// send open in the handle, so a burst of messages to one server costs one connection, one TLS
/// handshake and one AUTH. Not thread-safe: it is sendable only so that `SMTPClient` can hand it to
/// its serial queue, the one place it is used.
final class SMTPEasy: @unchecked Sendable {
    private let handle: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private let security: SMTPEndpoint.Security
    private var recipientList: UnsafeMutablePointer<curl_slist>?

    // The message being sent (read callback) and the server's replies (header callback), on the
    // thread running `send`.
    private var upload: [UInt8] = []
    private var uploadOffset = 0
    private var pendingReply: [String] = []
    private var replies: [(code: Int, text: String)] = []

    /// Sets the options every message shares; nil when libcurl cannot make a handle or refuses an option.
    init?(_ options: SMTPSessionOptions) {
        guard CurlGlobal.initialised, let handle = curl_easy_init() else { return nil }
        self.handle = handle
        security = options.endpoint.security
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)

        let me = Unmanaged.passUnretained(self).toOpaque()
        var codes: [CURLcode] = []
        func long(_ option: CURLoption, _ value: Int) { codes.append(ccurl_easy_setopt_long(handle, option, value)) }
        func string(_ option: CURLoption, _ value: String) {
            codes.append(value.withCString { ccurl_easy_setopt_string(handle, option, $0) })  // libcurl copies strings
        }
        string(CURLOPT_URL, options.endpoint.curlURL)
        codes.append(ccurl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer))
        long(CURLOPT_NOSIGNAL, 1)
        string(CURLOPT_PROTOCOLS_STR, "smtp,smtps")
        long(CURLOPT_SSL_VERIFYPEER, 1)
        long(CURLOPT_SSL_VERIFYHOST, 2)
        if let caFile = options.caFile { string(CURLOPT_CAINFO, caFile) }
        switch options.endpoint.security {
        case .implicitTLS, .startTLSRequired: long(CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue))
        case .startTLSIfOffered: long(CURLOPT_USE_SSL, Int(CURLUSESSL_TRY.rawValue))
        }
        if let username = options.username { string(CURLOPT_USERNAME, username) }
        if let password = options.password { string(CURLOPT_PASSWORD, password) }
        long(CURLOPT_TIMEOUT_MS, max(1, options.timeoutMilliseconds))
        long(CURLOPT_CONNECTTIMEOUT_MS, max(1, options.connectTimeoutMilliseconds))
        long(CURLOPT_UPLOAD, 1)
        codes.append(ccurl_easy_setopt_pointer(handle, CURLOPT_READDATA, me))
        codes.append(
            ccurl_easy_setopt_read_callback(handle) { buffer, size, count, context in
                guard let buffer, let context else { return 0 }
                let easy = Unmanaged<SMTPEasy>.fromOpaque(context).takeUnretainedValue()
                return easy.readMessage(into: UnsafeMutableRawBufferPointer(start: buffer, count: size * count))
            })
        // libcurl hands every line the server answers to the header callback.
        codes.append(ccurl_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, me))
        codes.append(
            ccurl_easy_setopt_header_callback(handle) { data, size, count, context in
                guard let data, let context else { return 0 }
                let easy = Unmanaged<SMTPEasy>.fromOpaque(context).takeUnretainedValue()
                easy.receiveReplyLine(UnsafeRawBufferPointer(start: data, count: size * count))
                return size * count
            })
        if codes.contains(where: { $0 != CURLE_OK }) { return nil }  // deinit frees the handle
    }

    deinit {
        curl_easy_cleanup(handle)  // says QUIT on a session still open
        curl_slist_free_all(recipientList)
        errorBuffer.deallocate()
    }

    /// Sends one message over the open session, or over a new one when there is none (or it died).
    /// Blocks until the server has answered, or the timeout.
    func send(_ envelope: SMTPEnvelope) -> SMTPResult {
        upload = Array(envelope.message)
        uploadOffset = 0
        pendingReply = []
        replies = []
        errorBuffer[0] = 0
        curl_slist_free_all(recipientList)
        var list: UnsafeMutablePointer<curl_slist>?
        for recipient in envelope.recipients { list = curl_slist_append(list, "<\(recipient)>") }
        recipientList = list
        var codes: [CURLcode] = [
            "<\(envelope.sender)>".withCString { ccurl_easy_setopt_string(handle, CURLOPT_MAIL_FROM, $0) },
            ccurl_easy_setopt_offset(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(upload.count)),
        ]
        if let list { codes.append(ccurl_easy_setopt_slist(handle, CURLOPT_MAIL_RCPT, list)) }
        if let failed = codes.first(where: { $0 != CURLE_OK }) {
            return .permanentFailure(
                code: nil, reason: "could not set up the send: \(String(cString: curl_easy_strerror(failed)))")
        }
        let result = curl_easy_perform(handle)
        upload = []
        return outcome(of: result)
    }

    private func readMessage(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let count = min(buffer.count, upload.count - uploadOffset)
        guard count > 0, let base = buffer.baseAddress else { return 0 }
        upload.withUnsafeBytes { bytes in
            guard let source = bytes.baseAddress else { return }
            base.copyMemory(from: source + uploadOffset, byteCount: count)
        }
        uploadOffset += count
        return count
    }

    /// Collects reply lines: `250-…` continues a reply, `250 …` ends it.
    private func receiveReplyLine(_ bytes: UnsafeRawBufferPointer) {
        let line = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        pendingReply.append(line)
        let characters = Array(line.utf8)
        let isLast = characters.count < 4 || characters[3] != UInt8(ascii: "-")
        guard isLast else { return }
        let code = Int(String(line.prefix(3))) ?? 0
        let text = pendingReply.map { String($0.dropFirst(4)) }.filter { !$0.isEmpty }.joined(separator: " ")
        replies.append((code, text))
        pendingReply = []
    }

    /// The last SMTP reply code libcurl read in this send (0 when none): the one that ended it.
    private var replyCode: Int {
        var code = 0
        _ = ccurl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
        return code
    }

    /// "SMTP 550 5.1.1 mailbox unavailable": the reply with that code, on one line, cut.
    private func replyDescription(_ code: Int) -> String {
        let text = replies.last(where: { $0.code == code })?.text ?? ""
        let line = String(
            String.UnicodeScalarView(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
        let cut = line.count > 300 ? String(line.prefix(300)) + "…" : line
        return cut.isEmpty ? "SMTP \(code)" : "SMTP \(code) \(cut)"
    }

    static let noStartTLS =
        "the server does not offer STARTTLS: refusing to send the password in clear (use smtp+insecure:// to allow it)"

    private func outcome(of result: CURLcode) -> SMTPResult {
        let code = replyCode
        if result == CURLE_OK { return .delivered(code: code) }
        let detail = errorBuffer[0] != 0 ? String(cString: errorBuffer) : String(cString: curl_easy_strerror(result))
        switch (result, code / 100) {
        case (_, 4):
            return .transientFailure(code: code, reason: replyDescription(code))
        case (CURLE_USE_SSL_FAILED, _) where security == .startTLSRequired && detail.contains("not supported"):
            return .permanentFailure(code: nil, reason: Self.noStartTLS)
        case (_, 5):
            return .permanentFailure(code: code, reason: replyDescription(code))
        case (CURLE_COULDNT_CONNECT, _), (CURLE_COULDNT_RESOLVE_HOST, _):
            return .transientFailure(code: nil, reason: "could not connect: \(detail)")
        case (CURLE_OPERATION_TIMEDOUT, _):
            return .transientFailure(code: nil, reason: "timed out: \(detail)")
        default:
            return .transientFailure(code: nil, reason: "\(detail) (curl error \(result.rawValue))")
        }
    }
}
