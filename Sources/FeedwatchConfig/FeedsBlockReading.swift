import Dispatch
import Foundation
import Yams

extension FeedsBlock {
    /// The pieces cannot stand for the whole list: compose the whole file instead.
    struct Unusable: Error {}

    /// Composes and reads the pieces on every core, a few at a time so that no more trees are alive
    /// than there are workers, and adds their feeds in the file's order: the outcome is the one
    /// reading the whole list would give.
    func readFeeds(
        of text: String, with entryReader: FeedEntryReader, into feeds: inout FeedCollection,
        reader: inout ConfigNodeReader
    ) throws(Unusable) {
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))
        feeds.reserve(pieces.reduce(0) { $0 + $1.entries })
        var next = 0
        while next < pieces.count {
            let batch = Array(pieces[next..<min(next + workers, pieces.count)])
            next += batch.count
            let results = PieceResults(count: batch.count)
            DispatchQueue.concurrentPerform(iterations: batch.count) { slot in
                results.store(Self.read(batch[slot], of: text, with: entryReader), at: slot)
            }
            for result in results.take() {
                guard let result else { throw Unusable() }
                reader.absorb(result.reader)
                for read in result.feeds { feeds.add(read, reader: &reader) }
            }
        }
    }

    /// What one piece gave: its feeds and the diagnostics found reading them.
    struct PieceResult {
        var feeds: [ReadFeed]
        var reader: ConfigNodeReader
    }

    private static func read(_ piece: Piece, of text: String, with entryReader: FeedEntryReader) -> PieceResult? {
        let node: Node?
        do {
            node = try Yams.compose(yaml: Self.text(of: piece, in: text), Resolver.basic)
        } catch {
            return nil
        }
        guard case .sequence(let sequence)? = node, sequence.count == piece.entries else { return nil }
        var entryReader = entryReader
        entryReader.reader.lineOffset = piece.firstLine - 1
        var feeds: [ReadFeed] = []
        feeds.reserveCapacity(sequence.count)
        for (offset, element) in sequence.enumerated() {
            if let read = entryReader.feed(element, index: piece.firstIndex + offset) { feeds.append(read) }
        }
        return PieceResult(feeds: feeds, reader: entryReader.reader)
    }
}

/// The results of the pieces read at once, each in its slot; filled by the workers under a lock.
private final class PieceResults: @unchecked Sendable {
    private var slots: [FeedsBlock.PieceResult??]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func store(_ result: FeedsBlock.PieceResult?, at slot: Int) {
        lock.withLock { slots[slot] = .some(result) }
    }

    /// Every slot's result (nil for a piece that could not be read alone).
    func take() -> [FeedsBlock.PieceResult?] {
        lock.withLock { slots.map { $0 ?? nil } }
    }
}
