/// The nearest known key to a misspelt one, for "did you mean interval?".
enum KeySuggestion {
    static func nearest(to key: String, in known: [String]) -> String? {
        let lowered = key.lowercased()
        let scored = known.map { ($0, editDistance(lowered, $0)) }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        // A suggestion farther than about a third of the word is noise, not help; so is one that
        // shares nothing with a very short word.
        return best.1 <= max(2, key.count / 3) && best.1 < key.count ? best.0 : nil
    }

    /// Levenshtein distance over Unicode scalars.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars)
        let b = Array(b.unicodeScalars)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
