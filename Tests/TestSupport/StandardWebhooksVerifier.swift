import Crypto
import Foundation

/// A receiver-side Standard Webhooks verifier for test servers, written apart from the product's signer
/// so that a test checks the signer against a second reading of the specification, not against itself.
///
/// Key: the base64 after `whsec_`, else the UTF-8 bytes of the secret (feedwatch SPEC §5).
/// Signed content: `webhook-id` "." `webhook-timestamp` "." body; `webhook-signature` holds one or more
/// space-separated `v1,BASE64` entries, any of which may match.
public struct StandardWebhooksVerifier: Sendable {
    /// Why a delivery does not verify.
    public enum Failure: Error, Equatable {
        case unusableSecret
        case missingHeader(String)
        case badTimestamp
        case timestampOutsideTolerance
        case noMatchingSignature
    }

    private let keyBytes: [UInt8]

    /// A verifier for `secret`.
    public init(secret: String) throws {
        if secret.starts(with: "whsec_") {
            var encoded = String(secret.dropFirst(6))
            while encoded.count % 4 != 0 { encoded.append("=") }
            guard let decoded = Data(base64Encoded: encoded), !decoded.isEmpty else {
                throw Failure.unusableSecret
            }
            keyBytes = [UInt8](decoded)
        } else {
            guard !secret.isEmpty else { throw Failure.unusableSecret }
            keyBytes = [UInt8](secret.utf8)
        }
    }

    /// The base64 HMAC-SHA256 a sender should put after `v1,`.
    public func expectedSignature(id: String, timestamp: String, body: Data) -> String {
        var mac = HMAC<SHA256>(key: SymmetricKey(data: keyBytes))
        mac.update(data: Array(id.utf8))
        mac.update(data: [UInt8(ascii: ".")])
        mac.update(data: Array(timestamp.utf8))
        mac.update(data: [UInt8(ascii: ".")])
        mac.update(data: body)
        return Data(mac.finalize()).base64EncodedString()
    }

    /// Checks a delivery's headers (names in any case) against its body; `now` (Unix seconds) enables the
    /// replay window check of the specification when given.
    public func verify(headers: [(String, String)], body: Data, now: Int? = nil, tolerance: Int = 300) throws {
        func header(_ name: String) throws -> String {
            guard let value = headers.first(where: { $0.0.lowercased() == name })?.1 else {
                throw Failure.missingHeader(name)
            }
            return value
        }
        let id = try header("webhook-id")
        let timestamp = try header("webhook-timestamp")
        let signatures = try header("webhook-signature")
        guard let seconds = Int(timestamp) else { throw Failure.badTimestamp }
        if let now, abs(now - seconds) > tolerance { throw Failure.timestampOutsideTolerance }

        let expected = Array(expectedSignature(id: id, timestamp: timestamp, body: body).utf8)
        for entry in signatures.split(separator: " ") {
            let parts = entry.split(separator: ",", maxSplits: 1)
            guard parts.count == 2, parts[0] == "v1" else { continue }
            if constantTimeEqual(Array(parts[1].utf8), expected) { return }
        }
        throw Failure.noMatchingSignature
    }

    private func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }
}
