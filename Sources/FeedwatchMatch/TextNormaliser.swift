/// The normalisation keywords and texts go through before they are compared.
///
/// Case folded in full (`ß`→`ss`), diacritics dropped (`é`→`e`), ligatures expanded (`œ`→`oe`),
/// typographic apostrophes unified, words split as `WordScanner` describes (`l’ensemble` → `l`,
/// `ensemble`). Two texts with the same words are the same to every rule.
public enum TextNormaliser {
    /// The normalised words joined by single spaces (used for story-key titles).
    public static func normalisedText(_ s: String) -> String {
        words(s).joined(separator: " ")
    }

    /// The normalised words of `s`, in order.
    public static func words(_ s: String) -> [String] {
        var collector = WordCollector()
        WordScanner.scan(s, into: &collector)
        return collector.words.map { String(decoding: $0, as: UTF8.self) }
    }
}
