/// Every word keyword of every rule compiled into one matcher over normalised words.
///
/// A text is scanned once: each word is looked up in `WordTable` (one probe) and walked through
/// `PrefixTrie` (stops at the first byte no prefix has), which gives its labels; a trie over label
/// sequences then advances the few phrases in progress. The cost per item is linear in its text and
/// nearly independent of the number of keywords.
final class KeywordAutomaton: Sendable {
    /// A keyword as a sequence of normalised words, the last of which may be a prefix.
    struct Pattern: Hashable {
        var words: [[UInt8]]
        var lastIsPrefix: Bool
    }

    let words: WordTable
    let prefixes: PrefixTrie
    /// Labels are word ids, then prefix ids offset by `wordCount`.
    let wordCount: Int32
    /// Trie node reached from the root by each label (0 = none).
    let rootChild: FrozenBuffer<Int32>
    /// (node << 32 | label) → child, for nodes below the root.
    let edges: FrozenMap
    /// Patterns complete at node n: `terminalPatterns[terminalStart[n]..<terminalStart[n + 1]]`.
    let terminalStart: FrozenBuffer<Int32>
    let terminalPatterns: FrozenBuffer<Int32>
    let hasChildren: FrozenBuffer<Bool>
    let patternCount: Int

    /// `patterns[i]` gets id `i`; each has at least one word.
    init(patterns: [Pattern]) {
        var wordIds: [[UInt8]: Int32] = [:]
        var wordList: [[UInt8]] = []
        var prefixIds: [[UInt8]: Int32] = [:]
        var prefixList: [[UInt8]] = []
        var labelSequences: [[Int]] = []
        for pattern in patterns {
            var labels: [Int] = []
            for (k, word) in pattern.words.enumerated() {
                if pattern.lastIsPrefix && k == pattern.words.count - 1 {
                    let id = prefixIds[word] ?? Int32(prefixList.count)
                    if id == Int32(prefixList.count) {
                        prefixIds[word] = id
                        prefixList.append(word)
                    }
                    labels.append(-1 - Int(id))  // fixed up below, once the word count is known
                } else {
                    let id = wordIds[word] ?? Int32(wordList.count)
                    if id == Int32(wordList.count) {
                        wordIds[word] = id
                        wordList.append(word)
                    }
                    labels.append(Int(id))
                }
            }
            labelSequences.append(labels)
        }
        let wordCount = wordList.count
        let labelCount = wordCount + prefixList.count

        var rootChild = [Int32](repeating: 0, count: max(labelCount, 1))
        var children: [UInt64: Int32] = [:]
        var terminals: [[Int32]] = [[]]
        var hasChildren: [Bool] = [false]
        for (patternId, sequence) in labelSequences.enumerated() {
            var node: Int32 = 0
            for raw in sequence {
                let label = raw >= 0 ? raw : wordCount + (-1 - raw)
                let key = UInt64(node) << 32 | UInt64(label)
                var child = node == 0 ? rootChild[label] : (children[key] ?? 0)
                if child == 0 {
                    child = Int32(terminals.count)
                    terminals.append([])
                    hasChildren.append(false)
                    hasChildren[Int(node)] = true
                    if node == 0 { rootChild[label] = child } else { children[key] = child }
                }
                node = child
            }
            terminals[Int(node)].append(Int32(patternId))
        }
        var starts: [Int32] = []
        var flat: [Int32] = []
        for t in terminals {
            starts.append(Int32(flat.count))
            flat += t
        }
        starts.append(Int32(flat.count))

        words = WordTable(wordList)
        prefixes = PrefixTrie(prefixList)
        self.wordCount = Int32(wordCount)
        self.rootChild = FrozenBuffer(rootChild)
        edges = FrozenMap(children.map { (key: $0.key, value: $0.value) })
        terminalStart = FrozenBuffer(starts)
        terminalPatterns = FrozenBuffer(flat)
        self.hasChildren = FrozenBuffer(hasChildren)
        patternCount = patterns.count
    }
}
