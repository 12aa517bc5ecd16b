// An item's identity within its feed (SPEC §3): the guid/id, else the link, else a hash of title and
// summary. The hash is FNV-1a 128 (this module has no crypto dependency and needs no secrecy, only
// a stable, well-spread value): "fnv1a128:" and 32 lower-case hex digits.

enum ItemIdentity {
    /// Fills `item.id` and `item.hasGuid` from the feed's own identifier, the link, or the hash.
    static func assign(guid: String, to item: inout FeedItem) {
        let trimmed = guid.trimmingWhitespace()
        if !trimmed.isEmpty {
            item.id = trimmed
            item.hasGuid = true
        } else if !item.link.isEmpty {
            item.id = item.link
            item.hasGuid = false
        } else {
            item.id = "fnv1a128:" + fnv1a128Hex(Array((item.title + "\n" + item.summary).utf8))
            item.hasGuid = false
        }
    }

    /// FNV-1a with the 128-bit offset basis and prime (2^88 + 0x13B), as 32 hex digits.
    static func fnv1a128Hex(_ bytes: [UInt8]) -> String {
        var hi: UInt64 = 0x6c62_272e_07bb_0142
        var lo: UInt64 = 0x62b8_2175_6295_c58d
        for byte in bytes {
            lo ^= UInt64(byte)
            // (hi·2^64 + lo)·(2^88 + 0x13B) mod 2^128
            let (carry, low) = lo.multipliedFullWidth(by: 0x13B)
            hi = hi &* 0x13B &+ carry &+ (lo << 24)
            lo = low
        }
        func hex(_ v: UInt64) -> String {
            let digits = String(v, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }
        return hex(hi) + hex(lo)
    }
}

extension String {
    /// The string without leading and trailing ASCII/Unicode white space.
    func trimmingWhitespace() -> String {
        // Fast path: ASCII, non-space at both ends (almost every identifier and link).
        if let first = utf8.first, let last = utf8.last, first > 0x20, first < 0x80, last > 0x20, last < 0x80 {
            return self
        }
        guard let first = unicodeScalars.first, let last = unicodeScalars.last,
            first.properties.isWhitespace || last.properties.isWhitespace
        else { return self }
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[start...end])
    }
}
