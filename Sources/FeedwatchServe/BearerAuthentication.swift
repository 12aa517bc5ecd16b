import HTTPTypes
import Hummingbird

/// With `http.token`, every request — `/healthz` and `/metrics` included, and paths that do not
/// exist — must carry `Authorization: Bearer TOKEN`; anything else is 401 with `WWW-Authenticate`.
///
/// The token is compared in time that depends on the length of what the client sent, never on
/// how much of it is right, so a client cannot find the token a byte at a time.
struct BearerAuthentication<Context: RequestContext>: RouterMiddleware {
    private let token: [UInt8]

    init(token: String) {
        self.token = Array(token.utf8)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        guard let presented = BearerToken.credentials(request.headers[.authorization]) else {
            return Self.unauthorized(error: nil, "this listener needs Authorization: Bearer TOKEN (http.token)")
        }
        guard BearerToken.constantTimeEquals(Array(presented.utf8), token) else {
            return Self.unauthorized(error: "invalid_token", "the bearer token is not the one in http.token")
        }
        return try await next(request, context)
    }

    private static func unauthorized(error: String?, _ message: String) -> Response {
        var challenge = "Bearer realm=\"feedwatch\""
        if let error { challenge += ", error=\"\(error)\"" }
        var headers = HTTPFields()
        headers[.wwwAuthenticate] = challenge
        headers[.contentType] = "text/plain; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(
            status: .unauthorized, headers: headers, body: .init(byteBuffer: ByteBuffer(string: message + "\n")))
    }
}

/// The parts of bearer authentication that need no request.
enum BearerToken {
    /// The credentials of `Bearer CREDENTIALS`; the scheme's case does not matter (RFC 7235).
    static func credentials(_ header: String?) -> Substring? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let credentials = parts[1].drop(while: { $0 == " " })
        return credentials.isEmpty ? nil : credentials
    }

    /// Equal bytes, comparing every byte presented whatever the outcome; an empty secret matches nothing.
    static func constantTimeEquals(_ presented: [UInt8], _ secret: [UInt8]) -> Bool {
        guard !secret.isEmpty else { return false }
        var difference: UInt8 = presented.count == secret.count ? 0 : 1
        for (index, byte) in presented.enumerated() {
            difference |= byte ^ secret[index % secret.count]
        }
        return difference == 0 && !presented.isEmpty
    }
}
