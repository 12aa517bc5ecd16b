import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A real SMTP server on 127.0.0.1 for tests: Debian's aiosmtpd, run by `smtp_server.py` beside
/// this file. It keeps every message it accepts (envelope, raw bytes, and what Python's `email`
/// parser reads in it) and counts connections and AUTH commands.
///
///     let server = try SMTPTestServer()
///     defer { server.stop() }
///     … send to server.url …
///     XCTAssertEqual(server.messages.first?.headers["subject"], ["[outages] Panne"])
///
/// Recipients script the replies: `tempfail@…` gets 451, `reject@…` 550, `once-tempfail@…` 451
/// the first time only.
public final class SMTPTestServer: @unchecked Sendable {
    /// Why the server could not start.
    public struct StartError: Error, CustomStringConvertible {
        public let description: String
    }

    /// How the server protects sessions.
    public enum TLS: Sendable {
        /// Plain SMTP; STARTTLS is not offered.
        case none
        /// STARTTLS offered, with this certificate.
        case startTLS(TestCertificate)
        /// TLS from the first byte (smtps), with this certificate.
        case implicit(TestCertificate)
    }

    /// The counters the server keeps.
    public struct Stats: Decodable, Sendable, Equatable {
        public var connections: Int
        public var authCommands: Int
        /// AUTH commands received over a connection without TLS.
        public var authCommandsInClear: Int
        public var authSuccesses: Int
        public var messages: Int
        public var starttls: Int

        enum CodingKeys: String, CodingKey {
            case connections, messages, starttls
            case authCommands = "auth_commands"
            case authCommandsInClear = "auth_commands_in_clear"
            case authSuccesses = "auth_successes"
        }
    }

    /// The port it listens on (chosen by the kernel).
    public let port: Int
    /// Where it writes what it receives.
    public let directory: URL
    private let process: Process
    private let input: Pipe
    private let lock = NSLock()
    private var stopped = false

    /// Starts the server and waits until it listens. `user`/`password` make AUTH required; AUTH is
    /// offered only over TLS unless `authInClear`. `summaries: false` only counts messages (benchmarks).
    public init(
        tls: TLS = .none, user: String? = nil, password: String? = nil, authInClear: Bool = false,
        summaries: Bool = true
    ) throws {
        directory = try makeTemporaryDirectory("feedwatch-smtp")
        var arguments = [Self.scriptPath, "--dir", directory.path]
        if let user, let password { arguments += ["--user", user, "--password", password] }
        switch tls {
        case .none: break
        case .startTLS(let certificate):
            arguments += ["--cert", certificate.certificatePath, "--key", certificate.keyPath]
        case .implicit(let certificate):
            arguments += ["--cert", certificate.certificatePath, "--key", certificate.keyPath, "--implicit-tls"]
        }
        if authInClear { arguments.append("--auth-in-clear") }
        if !summaries { arguments.append("--no-summaries") }

        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python)
        process.arguments = ["-W", "ignore"] + arguments
        let output = Pipe()
        let input = Pipe()
        self.input = input
        let errorLog = directory.appendingPathComponent("server.log")
        _ = FileManager.default.createFile(atPath: errorLog.path, contents: nil)
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: errorLog)
        // The script stops when this pipe closes: when we stop it, or when the test process dies.
        process.standardInput = input
        try process.run()

        // Readiness is the script's "READY <port>" line; end of file means it died first. A script
        // that hangs instead is stopped after 30 s, which ends the read.
        let pid = process.processIdentifier
        let watchdog = DispatchWorkItem { kill(pid, SIGTERM) }
        DispatchQueue.global().asyncAfter(deadline: .now() + 30, execute: watchdog)
        let line = output.fileHandleForReading.readLine()
        watchdog.cancel()
        guard let line, line.hasPrefix("READY "), let port = Int(line.dropFirst(6)) else {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            let log = (try? String(contentsOf: errorLog, encoding: .utf8)) ?? ""
            throw StartError(
                description: "the SMTP test server did not start (is python3-aiosmtpd installed?): \(log.suffix(2000))")
        }
        self.port = port
    }

    deinit { stop() }

    /// Stops the server (SIGTERM) and removes what it wrote. Idempotent.
    public func stop() {
        let first: Bool = lock.withLock {
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        try? input.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    /// `scheme://127.0.0.1:port`: smtp, smtps or smtp+insecure.
    public func url(scheme: String = "smtp") -> String { "\(scheme)://127.0.0.1:\(port)" }

    /// The counters now.
    public var stats: Stats {
        get throws {
            let data = try Data(contentsOf: directory.appendingPathComponent("stats.json"))
            return try JSONDecoder().decode(Stats.self, from: data)
        }
    }

    /// Every message accepted so far, in order. The server writes each before it answers 250, so a
    /// client that was told "delivered" finds its message here.
    public var messages: [SMTPTestMessage] {
        get throws {
            let folder = directory.appendingPathComponent("messages")
            let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
                .filter { $0.hasSuffix(".json") }.sorted()
            return try names.map {
                try JSONDecoder().decode(
                    SMTPTestMessage.self, from: Data(contentsOf: folder.appendingPathComponent($0)))
            }
        }
    }

    /// Debian's python3, which has python3-aiosmtpd, rather than another one earlier in the PATH.
    static var python: String {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "/bin/python3"
    }

    static var scriptPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("smtp_server.py").path
    }
}

/// One message the SMTP test server accepted, and what Python's `email` parser read in it.
public struct SMTPTestMessage: Decodable, Sendable {
    public var mailFrom: String
    public var rcptTos: [String]
    /// The bytes as received, after the server undid the dot-stuffing.
    public var raw: Data
    /// Whether the session was encrypted (STARTTLS or implicit TLS).
    public var tls: Bool
    /// The user the session authenticated as, if any.
    public var login: String?
    /// Which of the server's connections carried it (1, 2, …).
    public var connection: Int
    /// Header values decoded (RFC 2047) and unfolded, by lower-case name.
    public var headers: [String: [String]]
    /// The text/plain part, decoded.
    public var text: String?
    /// The text/html part, decoded.
    public var html: String?
    public var contentType: String
    public var partTypes: [String]
    /// What the parser found wrong.
    public var defects: [String]

    enum CodingKeys: String, CodingKey {
        case raw, tls, login, connection, headers, text, html, defects
        case mailFrom = "mail_from"
        case rcptTos = "rcpt_tos"
        case contentType = "content_type"
        case partTypes = "part_types"
    }

    /// The first value of a header (name in any case).
    public func header(_ name: String) -> String? { headers[name.lowercased()]?.first }

    /// The raw header block, as sent: up to the first empty line.
    public var rawHeader: String {
        let text = String(decoding: raw, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") else { return text }
        return String(text[..<end.lowerBound])
    }
}

/// A throwaway self-signed certificate for 127.0.0.1 and localhost, made with the openssl command;
/// its certificate file is also the CA file that trusts it.
public struct TestCertificate: Sendable {
    public let certificatePath: String
    public let keyPath: String

    /// Makes a key and certificate in `directory`.
    public static func make(in directory: URL) throws -> TestCertificate {
        let certificate = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-subj",
            "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-days", "1",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw SMTPTestServer.StartError(description: "openssl could not make a test certificate")
        }
        return TestCertificate(certificatePath: certificate, keyPath: key)
    }
}

extension FileHandle {
    /// Reads up to and without the next LF; nil at end of file before any byte.
    fileprivate func readLine() -> String? {
        var bytes: [UInt8] = []
        while true {
            let chunk = readData(ofLength: 1)
            guard let byte = chunk.first else { return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self) }
            if byte == UInt8(ascii: "\n") { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(byte)
        }
    }
}
