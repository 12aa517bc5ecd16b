import TestSupport
import XCTest

@testable import FeedwatchAlert

/// The Standard Webhooks specification's published test vector (also in the svix and
/// standard-webhooks reference libraries' tests), checked with openssl before use.
private enum Vector {
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static let id = "msg_p5jXN8AQM9LWM0D4loKWxJek"
    static let timestamp = 1_614_265_330
    static let body = Data(#"{"test": 2432232314}"#.utf8)
    static let signature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
}

final class WebhookSignerTests: XCTestCase {
    func testSignerReproducesThePublishedTestVector() throws {
        let signer = try WebhookSigner(secret: Vector.secret)
        XCTAssertEqual(
            signer.signature(id: Vector.id, timestamp: Vector.timestamp, body: Vector.body), Vector.signature)
        XCTAssertEqual(
            signer.headers(id: Vector.id, timestamp: Vector.timestamp, body: Vector.body).map { "\($0.0): \($0.1)" },
            [
                "webhook-id: msg_p5jXN8AQM9LWM0D4loKWxJek",
                "webhook-timestamp: 1614265330",
                "webhook-signature: v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
            ])
    }

    func testTestVerifierAcceptsThePublishedTestVector() throws {
        let verifier = try StandardWebhooksVerifier(secret: Vector.secret)
        let headers = [
            ("Webhook-Id", Vector.id), ("Webhook-Timestamp", String(Vector.timestamp)),
            ("Webhook-Signature", "v1,bm9wZQ== " + Vector.signature),
        ]
        XCTAssertNoThrow(try verifier.verify(headers: headers, body: Vector.body, now: Vector.timestamp + 10))
        XCTAssertThrowsError(try verifier.verify(headers: headers, body: Data(#"{"test": 2432232315}"#.utf8))) {
            XCTAssertEqual($0 as? StandardWebhooksVerifier.Failure, .noMatchingSignature)
        }
        XCTAssertThrowsError(try verifier.verify(headers: headers, body: Vector.body, now: Vector.timestamp + 301)) {
            XCTAssertEqual($0 as? StandardWebhooksVerifier.Failure, .timestampOutsideTolerance)
        }
    }

    func testAPlainSecretIsKeyedByItsUTF8BytesNotBase64Decoded() throws {
        let plain = try WebhookSigner(secret: "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let signature = plain.signature(id: Vector.id, timestamp: Vector.timestamp, body: Vector.body)
        // openssl dgst -sha256 -hmac 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' over the same signed content.
        XCTAssertEqual(signature, "v1,ELhqG0Ku1gwOc1f4jyKdp3SFGFLAOdJ9bvpWLciCakI=")
        XCTAssertNotEqual(signature, Vector.signature)
    }

    func testSignedDeliveriesVerifyWithTheIndependentVerifier() throws {
        let body = sampleAlert().jsonPayload()
        for secret in [
            "s3cret with spaces ✓", "whsec_" + Data("0123456789abcdef0123456789abcdef".utf8).base64EncodedString(),
        ] {
            let headers = try WebhookSigner(secret: secret).headers(id: "alert-1", timestamp: 1_795_557_600, body: body)
            XCTAssertNoThrow(try StandardWebhooksVerifier(secret: secret).verify(headers: headers, body: body), secret)
        }
    }

    func testAWhsecSecretWithoutPaddingIsAccepted() throws {
        let key = Data("abcde".utf8).base64EncodedString()  // "YWJjZGU="
        let withoutPadding = "whsec_" + key.replacingOccurrences(of: "=", with: "")
        XCTAssertEqual(
            try WebhookSigner(secret: withoutPadding).signature(id: "a", timestamp: 1, body: Data()),
            try WebhookSigner(secret: "whsec_" + key).signature(id: "a", timestamp: 1, body: Data()))
    }

    func testUnusableSecretsAreRefusedWithoutEchoingThem() {
        XCTAssertThrowsError(try WebhookSigner(secret: "")) {
            XCTAssertEqual($0 as? WebhookSecretError, .empty)
        }
        XCTAssertThrowsError(try WebhookSigner(secret: "whsec_not base64!!")) {
            XCTAssertEqual($0 as? WebhookSecretError, .invalidBase64)
            XCTAssertFalse(String(describing: $0).contains("not base64!!"))
        }
    }

    func testWithoutASecretOnlyWebhookIDIsSent() {
        let headers = WebhookSigner.deliveryHeaders(id: "alert-1", timestamp: 1, body: Data(), signer: nil)
        XCTAssertEqual(headers.map { "\($0.0): \($0.1)" }, ["webhook-id: alert-1"])
    }

    func testWithASecretDeliveryHeadersAreSigned() throws {
        let signer = try WebhookSigner(secret: Vector.secret)
        let headers = WebhookSigner.deliveryHeaders(
            id: Vector.id, timestamp: Vector.timestamp, body: Vector.body, signer: signer)
        XCTAssertEqual(headers.last?.1, Vector.signature)
    }
}
