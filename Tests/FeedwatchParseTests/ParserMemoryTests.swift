import CLibXML2
import Foundation
import XCTest

@testable import FeedwatchParse

/// A hostile feed polled every few minutes for weeks must not grow the daemon: every parse gives
/// back all that libxml2 allocated for it. libxml2 lets its allocator be replaced, so these tests
/// count what it allocates during a few parses and what is still allocated afterwards.
final class ParserMemoryTests: XCTestCase {
    func testADoctypeThatNeverClosesLeavesNothingAllocated() throws {
        // Found by fuzzing: libxml2 kept the entity declarations in a document of its own, ~26 KB a parse.
        let data = try Fixture.data("hostile-unterminated-doctype-leak.xml")
        XCTAssertEqual(
            Fixture.error(data), "not a feed: the document has no root element (line 1: Blank needed here)")
        let usage = try LibXMLAllocations.measure {
            for _ in 0..<3 { _ = try? FeedParser.parse(data, url: Fixture.feedURL) }
        }
        XCTAssertGreaterThan(usage.allocations, 0, "the parses went through libxml2's allocator")
        XCTAssertEqual(usage.bytesStillAllocated, 0, "\(usage.allocationsStillLive) allocation(s) leaked")
    }

    func testNoFixtureLeavesAnythingAllocated() throws {
        let folder = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
            $0.hasSuffix(".xml") || $0.hasSuffix(".html")
        }.sorted()
        XCTAssertGreaterThan(names.count, 30)
        for name in names {
            let data = try Fixture.data(name)
            _ = try? FeedParser.parse(data, url: Fixture.feedURL)
            let usage = try LibXMLAllocations.measure { _ = try? FeedParser.parse(data, url: Fixture.feedURL) }
            XCTAssertEqual(usage.bytesStillAllocated, 0, "\(name): \(usage.allocationsStillLive) allocation(s) leaked")
        }
    }
}

/// libxml2's allocator, replaced for the length of a measurement by one that remembers every block
/// it hands out until it is freed. Tests run one at a time, and libxml2 is only called from the test.
enum LibXMLAllocations {
    struct Usage {
        var allocations = 0
        var allocationsStillLive = 0
        var bytesStillAllocated = 0
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var live: [UnsafeMutableRawPointer: Int] = [:]
    nonisolated(unsafe) private static var count = 0

    static func measure(_ body: () throws -> Void) throws -> Usage {
        var savedFree: xmlFreeFunc?
        var savedMalloc: xmlMallocFunc?
        var savedRealloc: xmlReallocFunc?
        var savedStrdup: xmlStrdupFunc?
        guard xmlMemGet(&savedFree, &savedMalloc, &savedRealloc, &savedStrdup) == 0 else {
            throw XCTSkip("libxml2 does not let its allocator be read")
        }
        lock.withLock {
            live = [:]
            count = 0
        }
        xmlMemSetup(trackingFree, trackingMalloc, trackingRealloc, trackingStrdup)
        defer { xmlMemSetup(savedFree, savedMalloc, savedRealloc, savedStrdup) }
        try body()
        // libxml2 keeps the thread's last error (a copy of its message) until the next one: that
        // is one block per thread, reused, not a leak.
        xmlResetLastError()
        return lock.withLock {
            Usage(allocations: count, allocationsStillLive: live.count, bytesStillAllocated: live.values.reduce(0, +))
        }
    }

    private static func track(_ pointer: UnsafeMutableRawPointer?, size: Int) {
        guard let pointer else { return }
        lock.withLock {
            live[pointer] = size
            count += 1
        }
    }

    /// Forgets a block; true when it was allocated during the measurement.
    @discardableResult
    private static func untrack(_ pointer: UnsafeMutableRawPointer?) -> Bool {
        guard let pointer else { return false }
        return lock.withLock { live.removeValue(forKey: pointer) != nil }
    }

    private static let trackingMalloc: xmlMallocFunc = { size in
        let pointer = malloc(size)
        LibXMLAllocations.track(pointer, size: size)
        return pointer
    }

    private static let trackingRealloc: xmlReallocFunc = { old, size in
        // A block from before the measurement that grows is still not the measurement's.
        let wasOurs = old == nil || LibXMLAllocations.untrack(old)
        let pointer = realloc(old, size)
        if wasOurs { LibXMLAllocations.track(pointer, size: size) }
        return pointer
    }

    private static let trackingFree: xmlFreeFunc = { pointer in
        LibXMLAllocations.untrack(pointer)
        free(pointer)
    }

    private static let trackingStrdup: xmlStrdupFunc = { string in
        guard let string else { return nil }
        let copy = strdup(string)
        LibXMLAllocations.track(UnsafeMutableRawPointer(copy), size: strlen(string) + 1)
        return copy
    }
}
