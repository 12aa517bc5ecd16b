import Foundation
import Yams

extension FeedsBlock {
    /// The pieces cannot stand for the whole list: compose the whole file instead.
    struct Unusable: Error {}

    /// Composes and reads the pieces on every core while this thread adds their feeds in the file's
    /// order, so the outcome is the one reading the whole list would give. Workers run at most a few
    /// pieces ahead of the adding: no more trees and results are alive than that.
    func readFeeds(
        of text: String, with entryReader: FeedEntryReader, into feeds: inout FeedCollection,
        reader: inout ConfigNodeReader
    ) throws(Unusable) {
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))
        feeds.reserve(pieces.reduce(0) { $0 + $1.entries })
        let queue = PieceQueue(count: pieces.count, ahead: 2 * workers)
        for _ in 0..<workers {
            let pieces = self.pieces
            Thread.detachNewThread {
                while let index = queue.take() {
                    queue.deliver(Self.read(pieces[index], of: text, with: entryReader), for: index)
                }
            }
        }
        defer { queue.stop() }
        for index in pieces.indices {
            guard let result = queue.result(for: index) else { throw Unusable() }
            reader.absorb(result.reader)
            for read in result.feeds { feeds.add(read, reader: &reader) }
        }
    }

    /// What one piece gave: its feeds and the diagnostics found reading them.
    struct PieceResult: Sendable {
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

/// Hands the pieces' indices to the workers in order, no further than `ahead` past the piece being
/// added, and their results back to the adding thread in order.
private final class PieceQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private let count: Int
    private let ahead: Int
    private var next = 0
    private var added = 0
    private var stopped = false
    /// Delivered results not yet taken; nil for a piece that could not be read alone.
    private var results: [Int: FeedsBlock.PieceResult?] = [:]

    init(count: Int, ahead: Int) {
        self.count = count
        self.ahead = ahead
    }

    /// The next piece to read, or nil when there is none left (or the reading stopped).
    func take() -> Int? {
        condition.lock()
        defer { condition.unlock() }
        while !stopped && next < count && next >= added + ahead { condition.wait() }
        guard !stopped && next < count else { return nil }
        next += 1
        return next - 1
    }

    func deliver(_ result: FeedsBlock.PieceResult?, for index: Int) {
        condition.lock()
        results[index] = .some(result)
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for the result of piece `index` (taken in order).
    func result(for index: Int) -> FeedsBlock.PieceResult? {
        condition.lock()
        defer { condition.unlock() }
        while results[index] == nil { condition.wait() }
        added = index + 1
        condition.broadcast()
        return results.removeValue(forKey: index) ?? nil
    }

    /// No more pieces are handed out (all were added, or one could not be read).
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }
}
