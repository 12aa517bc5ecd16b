import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Why the journald fixture could not do its job.
public enum JournaldFixtureError: Error, CustomStringConvertible {
    case cannotStart(String)
    case journalctlFailed(String)

    public var description: String {
        switch self {
        case .cannotStart(let why): return "cannot start systemd-journald for the tests: \(why)"
        case .journalctlFailed(let why): return "journalctl failed: \(why)"
        }
    }
}

/// A real systemd-journald for tests, and a way to read back what it stored.
///
/// In a container without systemd as PID 1, no journald runs; `ensureRunning()` then starts
/// `/lib/systemd/systemd-journald` as a child of the test process (root is needed: it binds
/// /run/systemd/journal/socket and writes under /run/log/journal) and stops it when the process exits
/// or when `stop()` is called, typically from a test class's `tearDown()`.
public enum JournaldFixture {
    /// The socket libsystemd sends to; libsystemd offers no way to use another.
    public static let socketPath = "/run/systemd/journal/socket"
    public static let journaldPath = "/lib/systemd/systemd-journald"
    public static let journalctlPath = "/usr/bin/journalctl"
    /// Serialises starting journald between test processes run in parallel.
    static let lockPath = "/run/feedwatch-tests-journald.lock"

    private static let lock = NSLock()
    nonisolated(unsafe) private static var child: Process?
    nonisolated(unsafe) private static var exitHookInstalled = false

    /// Makes sure a journald answers on ``socketPath``, starting one as a child process if none does.
    public static func ensureRunning() throws {
        lock.lock()
        defer { lock.unlock() }
        if answers(at: socketPath) { return }

        let lockFD = open(lockPath, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        if lockFD >= 0 { flock(lockFD, LOCK_EX) }
        defer {
            if lockFD >= 0 {
                flock(lockFD, LOCK_UN)
                close(lockFD)
            }
        }
        if answers(at: socketPath) { return }

        guard FileManager.default.isExecutableFile(atPath: journaldPath) else {
            throw JournaldFixtureError.cannotStart("\(journaldPath) is missing (apt install systemd)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: journaldPath)
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw JournaldFixtureError.cannotStart("\(error)")
        }
        child = process
        if !exitHookInstalled {
            exitHookInstalled = true
            atexit { JournaldFixture.stop() }
        }
        // journald binds its sockets within milliseconds; allow a slow, loaded machine ten seconds.
        for _ in 0..<200 {
            if answers(at: socketPath) { return }
            if !process.isRunning {
                child = nil
                throw JournaldFixtureError.cannotStart("it exited with status \(process.terminationStatus)")
            }
            usleep(50_000)
        }
        throw JournaldFixtureError.cannotStart("its socket did not answer within 10 seconds")
    }

    /// Stops the journald this process started, if any; a journald started by someone else is left alone.
    public static func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard let process = child else { return }
        child = nil
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    /// True when a journald reads the datagram socket at `path`. Written apart from the product's probe so
    /// the tests do not take the code under test as their oracle.
    public static func answers(at path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8) + [0]
        guard bytes.count <= MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        return result == 0
    }

    /// The journal entries matching `match` (`FIELD=VALUE`, e.g. `FEEDWATCH_ALERT_ID=…`), read with
    /// `journalctl -o json`, each as field → value. Waits up to `timeout` seconds for at least `atLeast`
    /// entries, since journald stores a datagram a moment after it was sent.
    ///
    /// journalctl renders a value that is not valid printable UTF-8 as an array of byte values; those are
    /// decoded back to strings here. A field repeated in one entry keeps its first value.
    public static func readEntries(matching match: String, atLeast: Int = 1, timeout: Double = 10)
        throws -> [[String: String]]
    {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let entries = try journalctl(["-o", "json", "--no-pager", "--all", match])
            if entries.count >= atLeast || Date() >= deadline { return entries }
            usleep(50_000)
        }
    }

    private static func journalctl(_ arguments: [String]) throws -> [[String: String]] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: journalctlPath)
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw JournaldFixtureError.journalctlFailed("\(error)")
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        // journalctl exits 1 with "-- No entries --" style output when nothing matches; that is an empty list.
        if process.terminationStatus != 0 && !data.isEmpty {
            throw JournaldFixtureError.journalctlFailed(errorText)
        }
        var entries: [[String: String]] = []
        for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
                throw JournaldFixtureError.journalctlFailed("unreadable line: \(String(decoding: line, as: UTF8.self))")
            }
            var entry: [String: String] = [:]
            for (key, value) in object {
                if let text = decodedValue(value) { entry[key] = text }
            }
            entries.append(entry)
        }
        return entries
    }

    /// A journalctl JSON value as a string: a string, an array of bytes, or (a repeated field) an array
    /// of those, of which the first is kept.
    private static func decodedValue(_ value: Any) -> String? {
        if let text = value as? String { return text }
        guard let array = value as? [Any], let first = array.first else { return nil }
        if first is String || first is [Any] { return decodedValue(first) }
        let bytes = array.compactMap { ($0 as? NSNumber).map { UInt8(truncatingIfNeeded: $0.intValue) } }
        return String(decoding: bytes, as: UTF8.self)
    }
}
