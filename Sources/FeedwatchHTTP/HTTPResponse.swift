import Foundation

/// A complete HTTP response (after any redirects followed).
public struct HTTPResponse: Sendable {
    /// The status code of the last hop. A successful file: read reports 200.
    public var status: Int
    /// The headers of the last hop.
    public var headers: HTTPHeaders
    /// The decompressed body.
    public var body: Data
    /// The URL that produced this response (the last hop).
    public var finalURL: URL
    /// Set when one or more redirects were followed and the chain from the requested URL up to
    /// this URL was permanent (301/308) at every hop: the caller may use it from now on.
    /// It is the last URL reached through permanent hops only, so A -301-> B -302-> C gives B.
    public var permanentRedirectURL: URL?
    /// The number of redirect hops followed.
    public var redirectCount: Int

    /// Creates a response.
    public init(
        status: Int, headers: HTTPHeaders, body: Data, finalURL: URL,
        permanentRedirectURL: URL? = nil, redirectCount: Int = 0
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.finalURL = finalURL
        self.permanentRedirectURL = permanentRedirectURL
        self.redirectCount = redirectCount
    }
}

/// The outcome of `HTTPClient.perform`: a response (any status) or the reason there is none.
public typealias HTTPResult = Result<HTTPResponse, HTTPError>
