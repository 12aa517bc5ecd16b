import Foundation
import XCTest

@testable import FeedwatchParse

/// Charset from HTTP, BOM and declaration; windows-1252 for latin1; bad bytes never fail a feed.
final class EncodingTests: XCTestCase {
    func testFrenchISO88591ItemWithWindows1252QuotesDecodesAsBrowsersDo() throws {
        let expected = try Fixture.text("rss2-iso8859-1-cp1252-quotes.expected.txt").split(separator: "\n")
        let feed = try Fixture.parse("rss2-iso8859-1-cp1252-quotes.xml")
        XCTAssertEqual(feed.title, "Actualités")
        XCTAssertEqual(feed.warnings, [])
        XCTAssertEqual(feed.items.count, 1)
        XCTAssertEqual(feed.items[0].title, String(expected[0]))
        XCTAssertEqual(feed.items[0].title, "Panne géante chez Facebook : Telegram gagne 3 millions d’utilisateurs")
        XCTAssertEqual(feed.items[0].summary, String(expected[1]))
        XCTAssertEqual(feed.items[0].categories, ["Réseaux"])
        XCTAssertEqual(rfc3339(feed.items[0].published), "2021-10-05T07:15:00Z")
    }

    func testHTTPCharsetWinsOverTheDeclaration() throws {
        let feed = try Fixture.parse("rss2-declared-utf8-served-latin1.xml", httpCharset: "ISO-8859-1")
        XCTAssertEqual(feed.title, "Ça marche")
        XCTAssertEqual(feed.items.map(\.title), ["Été à Paris"])
        XCTAssertEqual(feed.warnings, [])
    }

    func testWrongDeclarationWithoutHTTPCharsetGivesReplacementCharactersAndAWarning() throws {
        let feed = try Fixture.parse("rss2-declared-utf8-served-latin1.xml")
        XCTAssertEqual(feed.title, "\u{FFFD}a marche")
        XCTAssertEqual(feed.items.map(\.title), ["\u{FFFD}t\u{FFFD} \u{FFFD} Paris"])
        XCTAssertEqual(feed.warnings, ["4 invalid byte(s) replaced by U+FFFD"])
    }

    func testSingleByteCharsetsFromTheDeclaration() throws {
        XCTAssertEqual(
            try Fixture.parse("rss2-windows-1251-cyrillic.xml").items.map(\.title),
            ["Сбой Фейсбука — «Телеграм» растёт"])
        XCTAssertEqual(try Fixture.parse("rss2-iso8859-15-euro.xml").items.map(\.title), ["Œuvre à 10 € - Ÿ"])
        XCTAssertEqual(try Fixture.parse("rss2-windows-1250-polish.xml").items.map(\.title), ["Zażółć gęślą jaźń"])
        XCTAssertEqual(try Fixture.parse("rss2-iso8859-2-czech.xml").items.map(\.title), ["Příliš žluťoučký kůň"])
    }

    func testUTF16WithByteOrderMarks() throws {
        let little = try Fixture.parse("rss2-utf16le-bom.xml")
        XCTAssertEqual(little.title, "UTF-16 LE")
        XCTAssertEqual(little.items.map(\.title), ["Ünïcödé 日本語 😀"])
        let big = try Fixture.parse("atom10-utf16be-bom.xml")
        XCTAssertEqual(big.format, .atom10)
        XCTAssertEqual(big.items.map(\.title), ["Ελληνικά"])
        XCTAssertEqual(big.warnings, [])
    }

    func testUTF8ByteOrderMarkIsSkipped() throws {
        let feed = try Fixture.parse("rss2-utf8-bom.xml")
        XCTAssertEqual(feed.items.map(\.title), ["naïve café"])
        XCTAssertEqual(feed.warnings, [])
    }

    func testInvalidBytesBecomeReplacementCharactersWithWarnings() throws {
        let feed = try Fixture.parse("rss2-invalid-utf8-bytes.xml")
        XCTAssertEqual(feed.items.map(\.title), ["caf\u{FFFD} ok \u{FFFD}\u{FFFD} end", "Second form feed"])
        XCTAssertEqual(
            feed.warnings, ["3 invalid byte(s) replaced by U+FFFD", "1 control character(s) replaced by spaces"])
    }

    func testCharsetNamesAreNormalised() {
        XCTAssertEqual(Encoding.normalisedName(" \"ISO-8859-1\" "), "windows-1252")
        XCTAssertEqual(Encoding.normalisedName("latin1"), "windows-1252")
        XCTAssertEqual(Encoding.normalisedName("cp1251"), "windows-1251")
        XCTAssertEqual(Encoding.normalisedName("ISO8859-15"), "iso-8859-15")
        XCTAssertEqual(Encoding.normalisedName("UTF8"), "utf-8")
        XCTAssertEqual(Encoding.normalisedName("\t'KOI8-R' "), "koi8-r")
        XCTAssertEqual(Encoding.normalisedName(" \"' "), "")
    }

    func testTheDeclaredCharsetIsReadFromTheXMLDeclaration() {
        func declared(_ text: String) -> String? { Encoding.declaredCharset(Data(text.utf8)) }
        XCTAssertEqual(declared(#"<?xml version="1.0" encoding="ISO-8859-1"?><rss/>"#), "windows-1252")
        XCTAssertEqual(declared("<?xml version='1.0' encoding = \t'Windows-1251' ?><rss/>"), "windows-1251")
        XCTAssertEqual(declared("\u{FEFF}<?xml version=\"1.0\" encoding=\"utf-8\"?><feed/>"), "utf-8")
        XCTAssertNil(declared(#"<?xml version="1.0"?><rss encoding="koi8-r"/>"#))
        XCTAssertNil(declared(#"<?xml version="1.0" encoding=koi8-r?><rss/>"#))
        XCTAssertNil(declared(#"<?xml version="1.0" encoding="koi8-r><rss/>"#))
        XCTAssertNil(declared(#"<rss encoding="koi8-r"/>"#))
    }

    func testEveryListedCharsetDecodes() throws {
        let names = (1...15).filter { $0 != 12 }.map { "iso-8859-\($0)" } + (1250...1258).map { "windows-\($0)" }
        for name in names {
            let xml = "<rss version=\"2.0\"><channel><item><title>A\u{FFFD}</title></item></channel></rss>"
            var bytes = Array(xml.utf8)
            bytes.replaceSubrange(bytes.firstRange(of: Array("\u{FFFD}".utf8))!, with: [0x41])
            let feed = try FeedParser.parse(Data(bytes), url: Fixture.feedURL, httpCharset: name)
            XCTAssertEqual(feed.items.map(\.title), ["AA"], name)
        }
    }
}
