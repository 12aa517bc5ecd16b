import FeedwatchAlert
import FeedwatchConfig
import FeedwatchDeliver
import FeedwatchHTTP
import Foundation
import TestSupport
import XCTest

/// The `email` destination against a real SMTP server (aiosmtpd) on 127.0.0.1: what arrives, read by
/// Python's `email` parser, and what each server answer means for the delivery.
final class EmailDestinationTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectory()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func server(
        tls: SMTPTestServer.TLS = .none, user: String? = nil, password: String? = nil, authInClear: Bool = false
    ) throws -> SMTPTestServer {
        let server = try SMTPTestServer(tls: tls, user: user, password: password, authInClear: authInClear)
        addTeardownBlock { server.stop() }
        return server
    }

    // MARK: Configuration

    func testConfiguredEmailDestinationIsBuiltAndSpeaksSMTP() throws {
        let yaml = """
            state_dir: \(directory.appendingPathComponent("state").path)
            feeds: [{url: "file:feed.xml", name: news}]
            rules: [{name: outages, any: [panne], notify: [desk]}]
            destinations:
              - {name: desk, type: email, smtp: "smtp://127.0.0.1:2525", from: "feedwatch <fw@example.org>",
                 to: [desk@example.org], timeout: 3s}
            """
        let path = directory.appendingPathComponent("feedwatch.yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        let config = try ConfigLoader.load(path: path, environment: [:])
        let http = try HTTPClient()
        defer { http.shutdown() }
        let destinations = try DestinationSet.make(
            config: config, http: http, journal: JournalSink(destination: .standardError))
        let desk = try XCTUnwrap(destinations["desk"] as? EmailDestination)
        XCTAssertEqual(desk.statusProtocol, "SMTP")
        XCTAssertEqual(desk.maxInFlight, 1)
    }

    func testSubjectAndTemplateShapeTheMessageWithEscapingPerPart() async throws {
        let server = try server()
        let yaml = """
            feeds: [{url: "file:feed.xml", name: news}]
            rules: [{name: outages, any: [panne], notify: [desk]}]
            destinations:
              - name: desk
                type: email
                smtp: "\(server.url())"
                from: "feedwatch <fw@example.org>"
                to: [desk@example.org]
                subject: "Alerte {{rule}} : {{item.title}}"
                template: |
                  {{item.title}}
                  {{item.link}}
            """
        let config = try ConfigLoader.parse(yaml, path: "feedwatch.yaml", environment: [:])
        let http = try HTTPClient()
        defer { http.shutdown() }
        let desk = try XCTUnwrap(
            try DestinationSet.make(config: config, http: http, journal: JournalSink(destination: .standardError))[
                "desk"])
        let alert = EmailFixtures.alert(title: "Panne <géante> & chez Télégram")
        let outcome = await desk.deliver(OutgoingMessage(id: alert.alertID, alerts: [alert], now: Date()))
        XCTAssertEqual(outcome, .delivered(status: 250))
        let message = try XCTUnwrap(server.messages.first)
        XCTAssertEqual(message.header("Subject"), "Alerte outages : Panne <géante> & chez Télégram")
        XCTAssertEqual(
            message.text?.trimmingCharacters(in: .whitespacesAndNewlines),
            "Panne <géante> & chez Télégram\r\n\(alert.item.link)", "plain text, nothing escaped")
        XCTAssertTrue(message.html?.contains("Panne &lt;géante&gt; &amp; chez Télégram") == true, message.html ?? "")
    }

    func testInternationalisedAddressIsAConfigurationError() {
        let config = EmailConfig(smtp: "smtp://127.0.0.1:2525", from: "fw@example.org", to: ["josé@example.org"])
        XCTAssertThrowsError(try EmailDestination(name: "desk", config: config, timeout: 3, retryFor: 60)) { error in
            XCTAssertTrue("\(error)".hasPrefix("email desk: to[0]: not an e-mail address"), "\(error)")
        }
    }

    // MARK: The message

    func testReceivedMessageHasItsHeadersAndBothPartsAsAParserReadsThem() async throws {
        let server = try server()
        let destination = try EmailFixtures.destination(server, to: ["desk@example.org", "Ops Team <ops@example.org>"])
        let alert = EmailFixtures.alert()
        let outcome = await destination.deliver(EmailFixtures.message([alert]))
        XCTAssertEqual(outcome, .delivered(status: 250))
        XCTAssertEqual(destination.describe(outcome), "mail: SMTP 250 (delivered)")

        let messages = try server.messages
        XCTAssertEqual(messages.count, 1)
        let message = try XCTUnwrap(messages.first)
        XCTAssertEqual(message.mailFrom, "fw@example.org")
        XCTAssertEqual(message.rcptTos, ["desk@example.org", "ops@example.org"])
        XCTAssertEqual(message.header("From"), "feedwatch <fw@example.org>")
        XCTAssertEqual(message.header("To"), "desk@example.org, Ops Team <ops@example.org>")
        XCTAssertEqual(message.header("Subject"), "[outages] Panne géante chez Télégram")
        XCTAssertTrue(message.rawHeader.contains("Subject: =?UTF-8?B?"), message.rawHeader)
        XCTAssertEqual(message.header("Date"), "Fri, 15 Jan 2027 08:00:00 +0000")
        XCTAssertEqual(message.header("Message-ID"), "<\(alert.alertID)@feedwatch>")
        XCTAssertEqual(message.header("MIME-Version"), "1.0")
        XCTAssertEqual(message.header("Auto-Submitted"), "auto-generated")
        XCTAssertEqual(message.header("X-Feedwatch-Alert-ID"), alert.alertID)
        XCTAssertEqual(message.contentType, "multipart/alternative")
        XCTAssertEqual(message.partTypes, ["text/plain", "text/html"])
        XCTAssertEqual(message.defects, [])

        XCTAssertEqual(
            message.text,
            """
            [outages] Panne géante chez Télégram
            https://example.org/panne?a=1&b=2
            matched: panne
            feed: news · published 2019-03-14T09:05:00Z

            Une panne géante touche la messagerie depuis ce matin.

            """.replacingOccurrences(of: "\n", with: "\r\n"))
        let html = try XCTUnwrap(message.html)
        let headline = "<p><b>[outages]</b> <a href=\"https://example.org/panne?a=1&amp;b=2\">"
        XCTAssertTrue(html.contains(headline + "Panne géante chez Télégram</a></p>"), html)
        XCTAssertTrue(html.contains("matched: panne<br>"), html)
        XCTAssertTrue(html.contains("feed: news · published 2019-03-14T09:05:00Z</p>"), html)
        XCTAssertTrue(html.contains("<blockquote>Une panne géante touche la messagerie depuis ce matin.</blockquote>"))

        let lines = message.raw.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        XCTAssertLessThanOrEqual(lines.map(\.count).max() ?? 0, 77, "76 characters and the CR")
        XCTAssertTrue(message.raw.allSatisfy { $0 < 0x80 }, "7-bit on the wire")
    }

    func testRetryIsTheSameMessageByItsMessageID() async throws {
        let server = try server()
        let destination = try EmailFixtures.destination(server)
        let alert = EmailFixtures.alert()
        let first = await destination.deliver(
            EmailFixtures.message([alert], now: Date(timeIntervalSince1970: 1_800_000_000)))
        let retry = await destination.deliver(
            EmailFixtures.message([alert], now: Date(timeIntervalSince1970: 1_800_000_300)))
        XCTAssertEqual(first, .delivered(status: 250))
        XCTAssertEqual(retry, .delivered(status: 250))
        let messages = try server.messages
        XCTAssertEqual(messages.count, 2)
        XCTAssertEqual(messages[0].header("Message-ID"), "<\(alert.alertID)@feedwatch>")
        XCTAssertEqual(messages[0].header("Message-ID"), messages[1].header("Message-ID"))
        XCTAssertNotEqual(messages[0].header("Date"), messages[1].header("Date"), "Date is the attempt's")
        XCTAssertEqual(messages[0].text, messages[1].text)
    }

    func testSeveralAlertsAreListedInOneMessage() async throws {
        let server = try server()
        let destination = try EmailFixtures.destination(server)
        let alerts = [
            EmailFixtures.alert(), EmailFixtures.alert(title: "Second outage", link: "", itemID: "item-2"),
        ]
        let outcome = await destination.deliver(EmailFixtures.message(alerts))
        XCTAssertEqual(outcome, .delivered(status: 250))
        let message = try XCTUnwrap(server.messages.first)
        XCTAssertEqual(message.header("Subject"), "[outages] 2 alerts")
        let text = try XCTUnwrap(message.text)
        XCTAssertTrue(text.hasPrefix("2 alerts\r\n\r\n1. [outages] Panne géante chez Télégram\r\n"), text)
        XCTAssertTrue(text.contains("\r\n\r\n2. [outages] Second outage\r\nmatched: panne\r\n"), text)
        let html = try XCTUnwrap(message.html)
        XCTAssertEqual(html.components(separatedBy: "<li>").count - 1, 2, html)
    }

    func testFeedTextIsEscapedInHTMLAndOnlyWebLinksAreLinks() async throws {
        let server = try server()
        let destination = try EmailFixtures.destination(server)
        let alert = EmailFixtures.alert(
            title: "<script>alert(1)</script> & \"co\"", link: "javascript:alert(1)",
            summary: "<img src=x onerror=alert(1)>")
        let outcome = await destination.deliver(EmailFixtures.message([alert]))
        XCTAssertEqual(outcome, .delivered(status: 250))
        let message = try XCTUnwrap(server.messages.first)
        let html = try XCTUnwrap(message.html)
        XCTAssertFalse(html.contains("<script"), html)
        XCTAssertFalse(html.contains("<img"), html)
        XCTAssertFalse(html.contains("javascript:"), html)
        XCTAssertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;co&quot;"), html)
        XCTAssertFalse(try XCTUnwrap(message.text).contains("javascript:"))
        XCTAssertEqual(message.header("Subject"), "[outages] <script>alert(1)</script> & \"co\"")
    }

    func testFeedTextWithLineBreaksCannotAddAHeaderOrAPart() async throws {
        let server = try server()
        let destination = try EmailFixtures.destination(server)
        let boundary = "--=_feedwatch_alternative"
        let alert = EmailFixtures.alert(
            title: "Outage\r\nBcc: victim@example.org\r\nX-Injected: yes\n\nbody",
            summary: "x\r\n\(boundary)\r\nContent-Type: text/html\r\n\r\n<b>forged</b>\r\n\(boundary)--\r\n")
        let outcome = await destination.deliver(EmailFixtures.message([alert]))
        XCTAssertEqual(outcome, .delivered(status: 250))
        let message = try XCTUnwrap(server.messages.first)
        XCTAssertEqual(message.rcptTos, ["desk@example.org"])
        XCTAssertNil(message.header("Bcc"))
        XCTAssertNil(message.header("X-Injected"))
        XCTAssertEqual(message.header("Subject"), "[outages] Outage Bcc: victim@example.org X-Injected: yes body")
        XCTAssertEqual(message.partTypes, ["text/plain", "text/html"])
        XCTAssertEqual(message.defects, [])
        XCTAssertFalse(try XCTUnwrap(message.html).contains("<b>forged</b>"))
        XCTAssertTrue(
            try XCTUnwrap(message.text).contains("x \(boundary) Content-Type: text/html <b>forged</b> \(boundary)--"))
    }

    // MARK: Transport security

    func testAuthOverStartTLS() async throws {
        let certificate = try TestCertificate.make(in: directory)
        let server = try server(tls: .startTLS(certificate), user: "fw", password: "s3cret pass")
        let destination = try EmailFixtures.destination(
            server, username: "fw", password: "s3cret pass", caFile: certificate.certificatePath)
        let outcome = await destination.deliver(EmailFixtures.message([EmailFixtures.alert()]))
        XCTAssertEqual(outcome, .delivered(status: 250))
        let message = try XCTUnwrap(server.messages.first)
        XCTAssertTrue(message.tls)
        XCTAssertEqual(message.login, "fw")
        let stats = try server.stats
        XCTAssertEqual(stats.starttls, 1)
        XCTAssertEqual(stats.authSuccesses, 1)
        XCTAssertEqual(stats.authCommandsInClear, 0)
    }

    func testStartTLSWithAnUntrustedCertificateIsRetriedAndSendsNothing() async throws {
        let certificate = try TestCertificate.make(in: directory)
        let server = try server(tls: .startTLS(certificate), user: "fw", password: "s3cret pass")
        let destination = try EmailFixtures.destination(server, username: "fw", password: "s3cret pass")
        let outcome = await destination.deliver(EmailFixtures.message([EmailFixtures.alert()]))
        guard case .retry(let reason, _) = outcome else { return XCTFail("\(outcome)") }
        XCTAssertFalse(reason.contains("s3cret"))
        XCTAssertEqual(try server.stats.authCommands, 0)
        XCTAssertEqual(try server.messages.count, 0)
    }

    func testImplicitTLSWithSMTPS() async throws {
        let certificate = try TestCertificate.make(in: directory)
        let server = try server(tls: .implicit(certificate), user: "fw", password: "s3cret")
        let destination = try EmailFixtures.destination(
            server, scheme: "smtps", username: "fw", password: "s3cret", caFile: certificate.certificatePath)
        let outcome = await destination.deliver(EmailFixtures.message([EmailFixtures.alert()]))
        XCTAssertEqual(outcome, .delivered(status: 250))
        let message = try XCTUnwrap(server.messages.first)
        XCTAssertTrue(message.tls)
        XCTAssertEqual(message.login, "fw")
    }

    func testCredentialsAreNeverSentOverPlainSMTPWithoutStartTLS() async throws {
        // A server that would take them in clear.
        let server = try server(user: "fw", password: "s3cret", authInClear: true)
        let destination = try EmailFixtures.destination(server, username: "fw", password: "s3cret")
        let outcome = await destination.deliver(EmailFixtures.message([EmailFixtures.alert()]))
        let refusal =
            "the server does not offer STARTTLS: refusing to send the password in clear "
            + "(use smtp+insecure:// to allow it)"
        XCTAssertEqual(outcome, .failed(reason: refusal))
        let stats = try server.stats
        XCTAssertEqual(stats.authCommands, 0)
        XCTAssertEqual(stats.messages, 0)
    }

    func testInsecureSchemeSendsCredentialsInClear() async throws {
        let server = try server(user: "fw", password: "s3cret", authInClear: true)
        let destination = try EmailFixtures.destination(
            server, scheme: "smtp+insecure", username: "fw", password: "s3cret")
        let outcome = await destination.deliver(EmailFixtures.message([EmailFixtures.alert()]))
        XCTAssertEqual(outcome, .delivered(status: 250))
        let message = try XCTUnwrap(server.messages.first)
        XCTAssertFalse(message.tls)
        XCTAssertEqual(message.login, "fw")
        XCTAssertEqual(try server.stats.authCommandsInClear, 1)
    }

    func testWrongPasswordIsAPermanentFailureThatNeverQuotesIt() async throws {
        let server = try server(user: "fw", password: "right", authInClear: true)
        let destination = try EmailFixtures.destination(
            server, scheme: "smtp+insecure", username: "fw", password: "wrong-pass")
        let outcome = await destination.deliver(EmailFixtures.message([EmailFixtures.alert()]))
        XCTAssertEqual(outcome, .failed(reason: "SMTP 535 5.7.8 Authentication credentials invalid"))
        XCTAssertEqual(try server.messages.count, 0)
    }

    // MARK: Server answers

    func testTemporaryRejectionIsRetried() async throws {
        let server = try server()
        let destination = try EmailFixtures.destination(server, to: ["tempfail@example.org"])
        let outcome = await destination.deliver(EmailFixtures.message([EmailFixtures.alert()]))
        XCTAssertEqual(outcome, .retry(reason: "SMTP 451 4.3.0 mailbox busy, try again later", after: nil))
        XCTAssertEqual(try server.messages.count, 0)
    }

    func testPermanentRejectionIsAFailure() async throws {
        let server = try server()
        let destination = try EmailFixtures.destination(server, to: ["reject@example.org"])
        let outcome = await destination.deliver(EmailFixtures.message([EmailFixtures.alert()]))
        XCTAssertEqual(outcome, .failed(reason: "SMTP 550 5.1.1 no such mailbox here"))
        XCTAssertEqual(destination.describe(outcome), "mail: SMTP 550 5.1.1 no such mailbox here (permanent failure)")
    }

    func testRefusedConnectionIsRetried() async throws {
        let server = try server()
        let destination = try EmailFixtures.destination(server)
        server.stop()
        let outcome = await destination.deliver(EmailFixtures.message([EmailFixtures.alert()]))
        guard case .retry(let reason, nil) = outcome else { return XCTFail("\(outcome)") }
        XCTAssertTrue(reason.hasPrefix("could not connect"), reason)
    }

    // MARK: Connection reuse

    func testBurstOfTwentyMessagesUsesOneConnection() async throws {
        let certificate = try TestCertificate.make(in: directory)
        let server = try server(tls: .startTLS(certificate), user: "fw", password: "s3cret")
        let destination = try EmailFixtures.destination(
            server, username: "fw", password: "s3cret", caFile: certificate.certificatePath)
        // All at once: the destination sends them one after the other over its one session.
        let outcomes = await withTaskGroup(of: DeliveryOutcome.self) { group in
            for index in 0..<20 {
                let alert = EmailFixtures.alert(title: "Outage \(index)", itemID: "item-\(index)")
                group.addTask { await destination.deliver(EmailFixtures.message([alert])) }
            }
            var outcomes: [DeliveryOutcome] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        XCTAssertEqual(outcomes, Array(repeating: .delivered(status: 250), count: 20))
        let messages = try server.messages
        XCTAssertEqual(messages.count, 20)
        XCTAssertEqual(Set(messages.compactMap { $0.header("Message-ID") }).count, 20)
        let stats = try server.stats
        XCTAssertEqual(stats.connections, 1)
        XCTAssertEqual(stats.starttls, 1)
        XCTAssertEqual(stats.authSuccesses, 1)
    }

    func testAfterARejectionTheNextMessageIsStillSent() async throws {
        let server = try server()
        let rejected = try EmailFixtures.destination(server, to: ["reject@example.org"])
        let accepted = try EmailFixtures.destination(server)
        let first = await rejected.deliver(EmailFixtures.message([EmailFixtures.alert()]))
        let second = await rejected.deliver(EmailFixtures.message([EmailFixtures.alert()]))
        XCTAssertEqual(first, second)
        let outcome = await accepted.deliver(EmailFixtures.message([EmailFixtures.alert()]))
        XCTAssertEqual(outcome, .delivered(status: 250))
    }
}
