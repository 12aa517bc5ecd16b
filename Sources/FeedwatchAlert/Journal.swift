import CSystemd

#if canImport(Glibc)
    import Glibc
#endif

/// The only file that touches libsystemd's journal API and journald's socket with raw pointers.
///
/// Everything above it deals in `[(name, value)]` fields and a Bool "does a journald answer".
enum Journal {
    /// Where libsystemd sends entries; fixed in libsystemd, which offers no way to point it elsewhere.
    static let socketPath = "/run/systemd/journal/socket"

    /// Sends one entry through `sd_journal_sendv`. Returns 0, or the negative errno libsystemd reports.
    ///
    /// `sd_journal_sendv` is binary-safe: a value may hold newlines (libsystemd then uses journald's
    /// length-prefixed form). Names must be journald field names; callers pass only fixed or sanitised ones.
    static func send(_ fields: [(name: String, value: String)]) -> Int32 {
        guard !fields.isEmpty else { return 0 }
        // One contiguous buffer holding every "NAME=value", so the iovecs point into memory that stays put.
        var buffer: [UInt8] = []
        var ranges: [Range<Int>] = []
        for field in fields {
            let start = buffer.count
            buffer.append(contentsOf: field.name.utf8)
            buffer.append(UInt8(ascii: "="))
            buffer.append(contentsOf: field.value.utf8)
            ranges.append(start..<buffer.count)
        }
        return buffer.withUnsafeMutableBytes { bytes -> Int32 in
            guard let base = bytes.baseAddress else { return -EINVAL }
            let vectors = ranges.map { iovec(iov_base: base + $0.lowerBound, iov_len: $0.count) }
            return vectors.withUnsafeBufferPointer { sd_journal_sendv($0.baseAddress, Int32($0.count)) }
        }
    }

    /// True when a journald reads the socket at `path`.
    ///
    /// The socket file outlives a stopped journald, so its existence proves nothing: connecting a datagram
    /// socket to it and sending an empty datagram does. Nobody listening gives ECONNREFUSED, no file ENOENT.
    /// journald ignores an empty datagram on its native socket, so the probe leaves no entry.
    static func answers(at path: String = socketPath) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(path.utf8)
        guard pathBytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
            raw[pathBytes.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else { return false }
        let sent = Glibc.send(fd, nil, 0, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
        // A full receive queue means a journald is there, only busy.
        return sent >= 0 || errno == EAGAIN
    }
}
