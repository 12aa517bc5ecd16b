import Crypto
import Foundation

/// Why a webhook secret cannot sign. The secret itself is never part of the message.
public enum WebhookSecretError: Error, CustomStringConvertible, Equatable {
    /// The secret is empty.
    case empty
    /// The secret starts with `whsec_` but what follows is not base64.
    case invalidBase64

    public var description: String {
        switch self {
        case .empty:
            return "the webhook secret is empty; remove `secret:` or give a value"
        case .invalidBase64:
            return "the webhook secret starts with whsec_ but the rest is not base64 (expected whsec_ followed by "
                + "a base64 key, or a secret without that prefix)"
        }
    }
}

/// Signs deliveries the Standard Webhooks way (SPEC §5):
/// `webhook-signature: v1,BASE64(HMAC-SHA256(key, "ID.TIMESTAMP.BODY"))`.
///
/// The key is the base64-decoded text after `whsec_`, or the UTF-8 bytes of a secret without that prefix.
public struct WebhookSigner: Sendable {
    // Raw bytes rather than a SymmetricKey, which is not Sendable.
    private let key: [UInt8]

    /// Prepares a signer for `secret`; throws ``WebhookSecretError`` when it cannot be a key.
    public init(secret: String) throws {
        guard !secret.isEmpty else { throw WebhookSecretError.empty }
        let prefix = "whsec_"
        if secret.hasPrefix(prefix) {
            guard let bytes = WebhookSigner.base64Decoded(String(secret.dropFirst(prefix.count))), !bytes.isEmpty
            else { throw WebhookSecretError.invalidBase64 }
            key = [UInt8](bytes)
        } else {
            key = [UInt8](secret.utf8)
        }
    }

    /// The `v1,…` signature of one delivery.
    public func signature(id: String, timestamp: Int, body: Data) -> String {
        var signed = Data("\(id).\(timestamp).".utf8)
        signed.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: key))
        return "v1," + Data(mac).base64EncodedString()
    }

    /// `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature` for one delivery.
    ///
    /// `id` is the alert id, identical on every retry; `timestamp` is the time of this attempt.
    public func headers(id: String, timestamp: Int, body: Data) -> [(String, String)] {
        [
            ("webhook-id", id),
            ("webhook-timestamp", String(timestamp)),
            ("webhook-signature", signature(id: id, timestamp: timestamp, body: body)),
        ]
    }

    /// The Standard Webhooks headers of a delivery: signed when `signer` is given, else `webhook-id` alone,
    /// which receivers still use to deduplicate retries.
    public static func deliveryHeaders(id: String, timestamp: Int, body: Data, signer: WebhookSigner?)
        -> [(String, String)]
    {
        signer?.headers(id: id, timestamp: timestamp, body: body) ?? [("webhook-id", id)]
    }

    /// Standard base64, accepting a key written without its `=` padding.
    private static func base64Decoded(_ text: String) -> Data? {
        let padded = text + String(repeating: "=", count: (4 - text.count % 4) % 4)
        return Data(base64Encoded: padded)
    }
}
