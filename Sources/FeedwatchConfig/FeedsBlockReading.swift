import Foundation
import Yams

extension FeedsBlock {
    /// The pieces cannot stand for the whole list: compose the whole file instead.
    struct Unusable: Error {}

    /// Composes and reads the pieces on every core while this thread adds their feeds in the file's
    /// order, so the outcome is the one reading the whole list would give.
    func readFeeds(
        of text: String, with entryReader: FeedEntryReader, into feeds: inout FeedCollection,
        reader: inout ConfigNodeReader
    ) throws(Unusable) {
        feeds.reserve(pieces.reduce(0) { $0 + $1.entries })
        let pieces = self.pieces
        let work = OrderedWork(count: pieces.count) { index in
            Self.read(pieces[index], of: text, with: entryReader)
        }
        defer { work.stop() }
        for index in pieces.indices {
            guard var result = work.result(for: index) else { throw Unusable() }
            reader.absorb(result.reader)
            while let read = result.feeds.popLast() { feeds.add(read, reader: &reader) }
        }
    }

    /// What one piece gave: its feeds and the diagnostics found reading them.
    struct PieceResult: Sendable {
        /// Last entry first: the adding thread pops them, taking each without a copy.
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
        feeds.reverse()
        return PieceResult(feeds: feeds, reader: entryReader.reader)
    }
}
