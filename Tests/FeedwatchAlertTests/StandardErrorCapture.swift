import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs `body` with file descriptor 2 redirected to a pipe and returns what it wrote there.
/// Lines written by the code under test are small (well under the 64 KiB pipe buffer), so no reader
/// thread is needed.
func capturingStandardError(_ body: () throws -> Void) rethrows -> String {
    var ends: [Int32] = [0, 0]
    guard pipe(&ends) == 0 else { return "" }
    let saved = dup(2)
    dup2(ends[1], 2)
    close(ends[1])
    defer {
        dup2(saved, 2)
        close(saved)
        close(ends[0])
    }
    try body()
    dup2(saved, 2)  // closes the pipe's last write end, so the read below ends
    var output: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = read(ends[0], &chunk, chunk.count)
        if count <= 0 { break }
        output += chunk[0..<count]
    }
    return String(decoding: output, as: UTF8.self)
}
