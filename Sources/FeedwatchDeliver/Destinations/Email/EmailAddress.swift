import FeedwatchAlert
import Foundation

/// A mailbox as the configuration writes it: `"feedwatch <fw@example.org>"` or `"fw@example.org"`.
struct EmailAddress: Equatable, Sendable {
    /// The name shown before the address, on one line; may be empty.
    var displayName: String
    /// The bare address (`MAIL FROM`/`RCPT TO`): printable ASCII without spaces, `<>`, quotes or commas.
    var address: String

    /// Reads a mailbox; nil when it is not one (no `@`, white space or a control in the address, …).
    init?(_ text: String) {
        var name = ""
        var address = text.trimmingCharacters(in: .whitespaces)
        if address.hasSuffix(">"), let open = address.lastIndex(of: "<") {
            name = String(address[..<open])
            address = String(address[address.index(after: open)..<address.index(before: address.endIndex)])
        }
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
            address.unicodeScalars.allSatisfy({
                $0.value > 0x20 && $0.value < 0x7F && !"<>(),;:\\\"[]".unicodeScalars.contains($0)
            })
        else { return nil }
        self.address = address
        name = SafeText.oneLine(name)
        if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") {
            name = String(name.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
                .replacingOccurrences(of: "\\\\", with: "\\")
        }
        displayName = name
    }

    /// The mailbox as header units (`EncodedHeader`): the name (plain, quoted or RFC 2047 encoded)
    /// and `<address>`, or the bare address.
    var headerUnits: [String] {
        guard !displayName.isEmpty else { return [address] }
        return EncodedHeader.phraseUnits(displayName) + ["<\(address)>"]
    }
}
