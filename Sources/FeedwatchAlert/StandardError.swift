#if canImport(Glibc)
    import Glibc
#endif

/// Whole lines to file descriptor 2, each in as few `write` calls as the kernel allows, so lines from
/// concurrent tasks do not interleave mid-line (a pipe writes up to PIPE_BUF bytes atomically).
enum StandardError {
    static func writeLine(_ line: String) {
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            var offset = 0
            while offset < raw.count {
                let written = write(2, base + offset, raw.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }
}
