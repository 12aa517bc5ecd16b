// bench-email: e-mail messages per second from the `email` destination to a real SMTP server
// (aiosmtpd) on 127.0.0.1, one message after the other as the delivery stage sends them.
//  1. Plain SMTP, one session reused for the whole burst.
//  2. STARTTLS and AUTH, one session reused: the TLS handshake and AUTH are paid once.
//  3. For comparison, a new session per message (a new destination each time), plain SMTP.
// The Python server is the slower side on loopback: the client's own CPU per message is printed too.
//
//   swift build -c release --product bench-email && .build/release/bench-email
import FeedwatchAlert
import FeedwatchConfig
import FeedwatchDeliver
import Foundation
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

func monotonic() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// CPU seconds (user + system) this process has used: the client's share, the server being another process.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("bench-email: \(message)\n".utf8))
    exit(1)
}

func alert(_ index: Int) -> Alert {
    Alert(
        rule: "outages", keywords: ["panne"],
        feed: .init(name: "news", url: "https://example.org/feed.xml", title: "Les nouvelles"),
        item: .init(
            id: "item-\(index)", title: "Panne géante chez Télégram n°\(index)",
            link: "https://example.org/panne/\(index)",
            summary: String(repeating: "Une panne géante touche la messagerie depuis ce matin. ", count: 8),
            published: Date(), authors: [], categories: []),
        detectedAt: Date())
}

func destination(_ server: SMTPTestServer, credentials: Bool, caFile: String? = nil) -> EmailDestination {
    do {
        return try EmailDestination(
            name: "bench",
            config: EmailConfig(
                smtp: server.url(), username: credentials ? "fw" : nil, password: credentials ? "bench" : nil,
                from: "feedwatch <fw@example.org>", to: ["desk@example.org"]),
            timeout: 10, retryFor: 86400, caFile: caFile)
    } catch {
        fail("\(error)")
    }
}

/// Sends `count` messages one after the other (`fresh` makes a new destination, so a new session,
/// for each); prints the rate and the server's connection count.
func run(
    _ label: String, count: Int, server: SMTPTestServer, fresh: Bool = false, make: () -> EmailDestination
) async {
    var reused = make()
    let start = monotonic()
    let startCPU = cpuSeconds()
    for index in 0..<count {
        if fresh { reused = make() }
        let message = OutgoingMessage(id: UUID().uuidString.lowercased(), alerts: [alert(index)], now: Date())
        let outcome = await reused.deliver(message)
        guard case .delivered = outcome else { fail("\(label): message \(index): \(outcome)") }
    }
    let seconds = monotonic() - start
    let cpuPerMessage = (cpuSeconds() - startCPU) / Double(count)
    let connections = (try? server.stats.connections) ?? -1
    print(
        "\(label): \(count) messages in \(String(format: "%.2f", seconds)) s = "
            + "\(String(format: "%.0f", Double(count) / seconds)) messages/s over \(connections) connection(s); "
            + "client CPU \(String(format: "%.0f", cpuPerMessage * 1e6)) µs/message")
}

let work = FileManager.default.temporaryDirectory.appendingPathComponent("bench-email-\(getpid())")
try? FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: work) }

do {
    let plain = try SMTPTestServer(summaries: false)
    await run("plain SMTP, one session", count: 2_000, server: plain) { destination(plain, credentials: false) }
    plain.stop()

    let certificate = try TestCertificate.make(in: work)
    let secure = try SMTPTestServer(tls: .startTLS(certificate), user: "fw", password: "bench", summaries: false)
    await run("STARTTLS + AUTH, one session", count: 2_000, server: secure) {
        destination(secure, credentials: true, caFile: certificate.certificatePath)
    }
    secure.stop()

    let perMessage = try SMTPTestServer(summaries: false)
    await run("plain SMTP, a session per message", count: 300, server: perMessage, fresh: true) {
        destination(perMessage, credentials: false)
    }
    perMessage.stop()
} catch {
    fail("\(error)")
}
