import Foundation

/// One request on its way through the loop: its redirect hops so far and where it goes next.
/// Owned by the loop thread once submitted.
final class Transfer {
    let request: HTTPRequest
    let completion: @Sendable (HTTPResult) -> Void
    private(set) var url: URL
    private(set) var method: String
    private(set) var body: Data?
    private(set) var headers: HTTPHeaders
    private(set) var redirectCount = 0
    private(set) var permanentRedirectURL: URL?
    private var everyHopPermanent = true
    /// Monotonic nanoseconds by which the whole transfer must end; set when its first hop starts.
    var deadline: UInt64?

    init(request: HTTPRequest, completion: @escaping @Sendable (HTTPResult) -> Void) {
        self.request = request
        self.completion = completion
        url = request.url
        method = request.method
        body = request.body
        headers = request.headers
        hostKey = request.url.host?.lowercased() ?? ""
    }

    /// The key per-host limits count against; kept, as the loop asks for it several times a hop.
    private(set) var hostKey: String

    /// The statuses followed when the request asks for it; the rest (300, 304, 305…) are returned.
    static let followedStatuses: Set<Int> = [301, 302, 303, 307, 308]

    /// Moves to the next hop after a 3xx with a Location, or says why not.
    func redirect(status: Int, location: String) -> HTTPError? {
        guard redirectCount < HTTPRequest.maxRedirects else { return .tooManyRedirects(HTTPRequest.maxRedirects) }
        guard let next = URL(string: location), let scheme = next.scheme?.lowercased(),
            scheme == "http" || scheme == "https", next.host != nil
        else { return .redirectNotAllowed(location) }

        redirectCount += 1
        if everyHopPermanent && (status == 301 || status == 308) {
            permanentRedirectURL = next
        } else {
            everyHopPermanent = false
        }
        // As browsers and libcurl do: 303 always becomes GET, and so does a POST answered by 301/302.
        let upper = method.uppercased()
        if (status == 303 && upper != "HEAD") || ((status == 301 || status == 302) && upper == "POST") {
            method = "GET"
            body = nil
        }
        if Transfer.leavesOrigin(from: url, to: next) {
            headers = HTTPHeaders(
                headers.fields.filter { HTTPRequest.crossHostSafeHeaders.contains($0.name.lowercased()) }
                    .map { ($0.name, $0.value) })
        }
        url = next
        hostKey = next.host?.lowercased() ?? ""
        return nil
    }

    /// Credentials stay with the host (and port) they were configured for, and never go from
    /// https down to plain http.
    static func leavesOrigin(from old: URL, to new: URL) -> Bool {
        let oldScheme = old.scheme?.lowercased() ?? ""
        let newScheme = new.scheme?.lowercased() ?? ""
        func port(_ url: URL, _ scheme: String) -> Int { url.port ?? (scheme == "https" ? 443 : 80) }
        return old.host?.lowercased() != new.host?.lowercased()
            || port(old, oldScheme) != port(new, newScheme)
            || (oldScheme == "https" && newScheme != "https")
    }
}
