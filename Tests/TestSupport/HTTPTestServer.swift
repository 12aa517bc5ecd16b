import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A small real HTTP/1.1 server on 127.0.0.1 for tests: one thread per connection, keep-alive,
/// a handler closure per request, scripted faults, a request log and concurrency counters.
///
///     let server = try HTTPTestServer { request in .init(status: 200, text: "hello") }
///     defer { server.stop() }
///     … fetch server.url("/feed") …
///     XCTAssertEqual(server.requests.count, 1)
public final class HTTPTestServer: @unchecked Sendable {
    /// The error starting the server can throw.
    public struct StartError: Error, CustomStringConvertible {
        public let description: String
    }

    /// The port it listens on (chosen by the kernel).
    public let port: Int
    private let listener: Int32
    private let handler: @Sendable (HTTPTestRequest) -> HTTPTestResponse
    private let lock = NSLock()
    private var stopped = false
    private var listenerClosed = false
    private var log: [HTTPTestRequest] = []
    private var openSockets: Set<Int32> = []
    private var nextConnectionID = 0
    private var currentConnections = 0
    private var currentRequests = 0
    private var maxConnections = 0
    private var maxRequests = 0

    /// Starts listening and serving; `handler` runs on the connection's thread. `port` 0 lets the
    /// kernel choose; a given port brings a receiver back up where it was before.
    public init(port requestedPort: Int = 0, handler: @escaping @Sendable (HTTPTestRequest) -> HTTPTestResponse) throws
    {
        self.handler = handler
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw StartError(description: "socket: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(requestedPort).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 512) == 0 else {
            close(fd)
            throw StartError(description: "bind/listen: \(String(cString: strerror(errno)))")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "HTTPTestServer accept"
        thread.start()
    }

    deinit { stop() }

    /// The URL of `path` on this server; `host` may be "localhost" to look like another host.
    public func url(_ path: String, host: String = "127.0.0.1") -> URL {
        let slash = path.hasPrefix("/") ? "" : "/"
        // The components are ours and valid; the fallback keeps this free of force-unwraps.
        return URL(string: "http://\(host):\(port)\(slash)\(path)") ?? URL(fileURLWithPath: "/invalid")
    }

    /// Every request received so far, in order of arrival.
    public var requests: [HTTPTestRequest] { lock.withLock { log } }
    /// The most connections open at the same time.
    public var maxConcurrentConnections: Int { lock.withLock { maxConnections } }
    /// The most requests being answered at the same time.
    public var maxConcurrentRequests: Int { lock.withLock { maxRequests } }
    /// Connections accepted so far.
    public var connectionCount: Int { lock.withLock { nextConnectionID } }

    /// Stops listening and closes every connection. Idempotent.
    public func stop() {
        // Under the lock, so no descriptor can be closed (and its number reused) while we shut it down.
        lock.withLock {
            guard !stopped else { return }
            stopped = true
            if !listenerClosed { shutdown(listener, Int32(SHUT_RDWR)) }
            for socket in openSockets { shutdown(socket, Int32(SHUT_RDWR)) }
        }
    }

    private var isStopped: Bool { lock.withLock { stopped } }

    private func acceptLoop() {
        while !isStopped {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                break
            }
            let id: Int? = lock.withLock {
                guard !stopped else { return nil }
                nextConnectionID += 1
                currentConnections += 1
                maxConnections = max(maxConnections, currentConnections)
                openSockets.insert(client)
                return nextConnectionID
            }
            guard let id else {
                close(client)
                break
            }
            let thread = Thread { [self] in
                serve(client, connectionID: id)
                lock.withLock {
                    currentConnections -= 1
                    openSockets.remove(client)
                }
                close(client)
            }
            thread.start()
        }
        lock.withLock {
            listenerClosed = true
            close(listener)
        }
    }

    private func serve(_ socket: Int32, connectionID: Int) {
        var reader = SocketReader(socket: socket)
        while let request = reader.readRequest(connectionID: connectionID) {
            lock.withLock {
                log.append(request)
                currentRequests += 1
                maxRequests = max(maxRequests, currentRequests)
            }
            let response = handler(request)
            if response.delay > 0 { Thread.sleep(forTimeInterval: response.delay) }
            let keepOpen = answer(request, with: response, on: socket, reader: &reader)
            lock.withLock { currentRequests -= 1 }
            if !keepOpen || isStopped { return }
        }
    }

    /// Writes the response or plays the fault; says whether the connection may serve another request.
    private func answer(
        _ request: HTTPTestRequest, with response: HTTPTestResponse, on socket: Int32, reader: inout SocketReader
    ) -> Bool {
        switch response.fault {
        case .hang:
            reader.drainUntilClosed()
            return false
        case .closeWithoutAnswer:
            return false
        case .raw(let bytes):
            _ = sendAll(socket, bytes)
            return false
        case .drip(let size, let interval):
            guard sendAll(socket, head(for: response, request: request)) else { return false }
            var offset = 0
            while offset < response.body.count && !isStopped {
                let end = min(offset + max(1, size), response.body.count)
                guard sendAll(socket, response.body.subdata(in: offset..<end)) else { return false }
                offset = end
                Thread.sleep(forTimeInterval: interval)
            }
            return false
        case nil:
            var bytes = head(for: response, request: request)
            if request.method != "HEAD" { bytes.append(response.body) }
            guard sendAll(socket, bytes) else { return false }
            let closing =
                request.header("Connection")?.lowercased() == "close"
                || response.headers.contains { $0.0.lowercased() == "connection" && $0.1.lowercased() == "close" }
            return !closing
        }
    }

    private func head(for response: HTTPTestResponse, request: HTTPTestRequest) -> Data {
        var text = "HTTP/1.1 \(response.status) \(reasonPhrase(response.status))\r\n"
        let names = Set(response.headers.map { $0.0.lowercased() })
        for (name, value) in response.headers { text += "\(name): \(value)\r\n" }
        if !names.contains("content-length") && !names.contains("transfer-encoding") {
            text += "Content-Length: \(response.body.count)\r\n"
        }
        text += "\r\n"
        return Data(text.utf8)
    }

    private func sendAll(_ socket: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                guard let base = buffer.baseAddress else { return true }
                let sent = send(socket, base + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                if sent < 0 && errno == EINTR { continue }
                if sent <= 0 { return false }
                offset += sent
            }
            return true
        }
    }
}

private func reasonPhrase(_ status: Int) -> String {
    switch status {
    case 200: return "OK"
    case 204: return "No Content"
    case 301: return "Moved Permanently"
    case 302: return "Found"
    case 303: return "See Other"
    case 304: return "Not Modified"
    case 307: return "Temporary Redirect"
    case 308: return "Permanent Redirect"
    case 400: return "Bad Request"
    case 401: return "Unauthorized"
    case 404: return "Not Found"
    case 410: return "Gone"
    case 429: return "Too Many Requests"
    case 500: return "Internal Server Error"
    case 502: return "Bad Gateway"
    case 503: return "Service Unavailable"
    default: return "Status"
    }
}
