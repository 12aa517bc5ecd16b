import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Reads HTTP/1.1 requests from a blocking socket, for `HTTPTestServer`.
struct SocketReader {
    let socket: Int32
    private var buffer = Data()

    init(socket: Int32) { self.socket = socket }

    /// The next request, or nil when the peer closed the connection or sent garbage.
    mutating func readRequest(connectionID: Int) -> HTTPTestRequest? {
        let separator = Data("\r\n\r\n".utf8)
        var headEnd: Range<Data.Index>?
        while true {
            headEnd = buffer.range(of: separator)
            if headEnd != nil { break }
            guard fill() else { return nil }
        }
        guard let headEnd else { return nil }
        let head = String(decoding: buffer[buffer.startIndex..<headEnd.lowerBound], as: UTF8.self)
        buffer = Data(buffer[headEnd.upperBound...])
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append(
                (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name }?.value }

        var body = Data()
        if header("transfer-encoding")?.lowercased().contains("chunked") == true {
            while true {
                guard let sizeLine = readLine(), let size = Int(sizeLine.split(separator: ";").first ?? "", radix: 16)
                else { return nil }
                if size == 0 {
                    while let trailer = readLine(), !trailer.isEmpty {}
                    break
                }
                guard let chunk = read(count: size + 2) else { return nil }
                body.append(chunk.prefix(size))
            }
        } else if let length = header("content-length").flatMap({ Int($0) }), length > 0 {
            guard let bytes = read(count: length) else { return nil }
            body = bytes
        }
        return HTTPTestRequest(
            method: String(requestLine[0]), path: String(requestLine[1]), headers: headers, body: body,
            connectionID: connectionID)
    }

    /// Reads and discards until the peer closes (for the "hang" fault).
    mutating func drainUntilClosed() {
        while fill() { buffer.removeAll() }
    }

    private mutating func readLine() -> String? {
        let crlf = Data("\r\n".utf8)
        while buffer.range(of: crlf) == nil {
            guard fill() else { return nil }
        }
        guard let range = buffer.range(of: crlf) else { return nil }
        let line = String(decoding: buffer[buffer.startIndex..<range.lowerBound], as: UTF8.self)
        buffer = Data(buffer[range.upperBound...])
        return line
    }

    private mutating func read(count: Int) -> Data? {
        while buffer.count < count {
            guard fill() else { return nil }
        }
        let bytes = Data(buffer.prefix(count))
        buffer = Data(buffer.dropFirst(count))
        return bytes
    }

    private mutating func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let received = recv(socket, &chunk, chunk.count, 0)
            if received < 0 && errno == EINTR { continue }
            guard received > 0 else { return false }
            buffer.append(contentsOf: chunk[0..<received])
            return true
        }
    }
}
