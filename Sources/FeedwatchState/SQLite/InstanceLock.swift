import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The single-instance lock of a state directory: `feedwatch.lock`, held with `flock(LOCK_EX|LOCK_NB)`
/// for the life of the process and holding its pid so that a second instance can say who is in the way.
///
/// `flock` locks belong to the open file description, so the kernel drops the lock when the process
/// dies, however it dies: a stale lock file never blocks a restart. For the same reason a second
/// lock taken in the same process (another `open`) is refused too.
final class InstanceLock {
    let path: String
    private var fd: Int32

    /// Takes the lock or throws `StateError.locked` naming the holder's pid.
    init(directory: String) throws {
        path = (directory as NSString).appendingPathComponent("feedwatch.lock")
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0 {
            throw StateError.directoryNotWritable(path: directory, reason: "cannot open \(path): \(errnoText())")
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let lockErrno = errno
            let holder = Self.readPid(fd)
            close(fd)
            if lockErrno == EWOULDBLOCK {
                throw StateError.locked(pid: holder, directory: directory)
            }
            throw StateError.directoryNotWritable(path: directory, reason: "cannot lock \(path): \(errnoText())")
        }
        let pidText = Array("\(getpid())\n".utf8)
        // A failed pid write only makes the message of a second instance less precise.
        _ = ftruncate(fd, 0)
        _ = pidText.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    /// Releases the lock. The file stays: deleting it would let two processes lock different inodes.
    func release() {
        guard fd >= 0 else { return }
        _ = flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    deinit { release() }

    private static func readPid(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        let text = String(decoding: buffer[0..<count], as: UTF8.self)
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

func errnoText() -> String {
    String(cString: strerror(errno))
}
