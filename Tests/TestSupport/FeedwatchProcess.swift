import Foundation

/// Runs the built `feedwatch` executable as a child process, the way users and systemd do.
public enum FeedwatchProcess {
    /// `.build/<config>/feedwatch`, next to the test bundle.
    public static var executableURL: URL {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        // `swift test` runs `.build/debug/feedwatchPackageTests.xctest`; the executable is beside it.
        while !FileManager.default.isExecutableFile(atPath: directory.appendingPathComponent("feedwatch").path),
            directory.path != "/"
        {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("feedwatch")
    }

    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs `feedwatch ARGS…` to completion with the given extra environment.
    public static func run(_ arguments: [String], environment: [String: String] = [:], currentDirectory: URL? = nil)
        throws -> Result
    {
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "NOTIFY_SOCKET")
        env.removeValue(forKey: "FEEDWATCH_CONFIG")
        for (key, value) in environment { env[key] = value }
        return try runProgram(executableURL.path, arguments, environment: env, currentDirectory: currentDirectory)
    }

    /// Runs any program to completion (curl, python3, chromium…), `input` on its standard input.
    public static func runProgram(
        _ path: String, _ arguments: [String], environment: [String: String]? = nil, currentDirectory: URL? = nil,
        input: Data? = nil
    ) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        let out = Pipe()
        let err = Pipe()
        let stdin = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input == nil ? FileHandle.nullDevice : stdin
        try process.run()
        if let input {
            stdin.fileHandleForWriting.write(input)
            try? stdin.fileHandleForWriting.close()
        }
        // Read both pipes before waiting so a chatty child never blocks on a full pipe.
        let errData = ReadAll(err.fileHandleForReading)
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData.wait(), as: UTF8.self))
    }

    /// GET with curl: the status code (0 when nothing answered) and the body.
    public static func httpGet(_ url: URL, bearer token: String? = nil) throws -> (status: Int, body: String) {
        var arguments = ["-sS", "-o", "-", "-w", "\n%{http_code}", url.absoluteString]
        if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
        let text = try runProgram("/usr/bin/curl", arguments).stdout
        guard let newline = text.lastIndex(of: "\n") else { return (0, text) }
        return (Int(text[text.index(after: newline)...]) ?? 0, String(text[..<newline]))
    }

    /// Reads a pipe to its end on another thread.
    private final class ReadAll: @unchecked Sendable {
        private var data = Data()
        private let done = DispatchSemaphore(value: 0)
        init(_ handle: FileHandle) {
            Thread.detachNewThread { [self] in
                data = handle.readDataToEndOfFile()
                done.signal()
            }
        }
        func wait() -> Data {
            done.wait()
            return data
        }
    }
}

/// A fresh temporary directory, removed when the test process ends is not guaranteed: tests remove it.
public func makeTemporaryDirectory(_ prefix: String = "feedwatch-test") throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
