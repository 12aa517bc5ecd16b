import Foundation

/// One request as the test server received it.
public struct HTTPTestRequest: Sendable {
    /// "GET", "POST", …
    public var method: String
    /// The request target as sent: path and query, e.g. "/feed.xml?x=1".
    public var path: String
    /// Header fields in the order received.
    public var headers: [(name: String, value: String)]
    /// The body (by Content-Length, or de-chunked).
    public var body: Data
    /// Which connection it came on (1, 2, …): equal ids show connection reuse.
    public var connectionID: Int

    /// The first value of header `name`, any case.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The path without the query.
    public var pathWithoutQuery: String { String(path.split(separator: "?", maxSplits: 1).first ?? "") }
}

/// What the test server answers, or the fault it plays.
public struct HTTPTestResponse: Sendable {
    /// A misbehaviour to script instead of a normal answer.
    public enum Fault: Sendable {
        /// Accept the request and never answer; the connection stays open until the client gives up.
        case hang
        /// Close the connection without answering.
        case closeWithoutAnswer
        /// Send the status line and headers at once, then the body `bytes` at a time, every `interval` seconds.
        case drip(bytes: Int, interval: TimeInterval)
        /// Send exactly these bytes and close (status/headers/body fields are ignored).
        case raw(Data)
    }

    /// The status code.
    public var status: Int
    /// Header fields; Content-Length is added unless present (or Transfer-Encoding is).
    public var headers: [(String, String)]
    /// The body bytes, sent as is (so pre-compressed bytes with Content-Encoding work).
    public var body: Data
    /// Seconds to wait before answering (to make transfers overlap).
    public var delay: TimeInterval
    /// A scripted fault, or nil for a normal answer.
    public var fault: Fault?

    /// Creates a response.
    public init(
        status: Int = 200, headers: [(String, String)] = [], body: Data = Data(), delay: TimeInterval = 0,
        fault: Fault? = nil
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.delay = delay
        self.fault = fault
    }

    /// A response with a UTF-8 text body.
    public init(status: Int = 200, headers: [(String, String)] = [], text: String, delay: TimeInterval = 0) {
        self.init(status: status, headers: headers, body: Data(text.utf8), delay: delay)
    }

    /// A scripted fault.
    public static func fault(_ fault: Fault) -> HTTPTestResponse { HTTPTestResponse(fault: fault) }
}
