import Foundation
import XCTest

@testable import FeedwatchParse

/// A document that declares no charset (no HTTP charset, no XML encoding, no BOM) and is not UTF-8
/// was written in a legacy charset: it is detected, so that accented and non-Latin keywords match.
final class EncodingDetectionTests: XCTestCase {
    private func assertDetected(
        _ fixture: String, as charset: String, title: String, summaryPrefix: String,
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let feed = try Fixture.parse(fixture)
        XCTAssertEqual(feed.items.map(\.title), [title], file: file, line: line)
        XCTAssertTrue(
            feed.items.first?.summary.hasPrefix(summaryPrefix) == true, feed.items.first?.summary ?? "",
            file: file, line: line)
        XCTAssertEqual(
            feed.warnings, ["no charset declared and the bytes are not UTF-8: read as \(charset) (detected)"],
            file: file, line: line)
        XCTAssertFalse(feed.items.first?.summary.contains("\u{FFFD}") ?? true, file: file, line: line)
    }

    func testUndeclaredFrenchLatin1ReadsTelegramNotReplacementCharacters() throws {
        try assertDetected(
            "rss2-undeclared-iso8859-1-french.xml", as: "windows-1252",
            title: "Panne géante chez Facebook, Télégram gagne des utilisateurs",
            summaryPrefix: "Les réseaux sociaux ont connu une interruption de service majeure ce mercredi après-midi.")
    }

    func testUndeclaredCyrillicInWindows1251AndKOI8R() throws {
        try assertDetected(
            "rss2-undeclared-windows-1251-russian.xml", as: "windows-1251", title: "Сбой в работе Телеграма",
            summaryPrefix: "Пользователи сообщили о проблемах")
        try assertDetected(
            "rss2-undeclared-koi8-r-russian.xml", as: "koi8-r", title: "Сбой в работе Телеграма",
            summaryPrefix: "Пользователи сообщили о проблемах")
    }

    func testUndeclaredGreekAndHebrew() throws {
        try assertDetected(
            "rss2-undeclared-iso8859-7-greek.xml", as: "iso-8859-7", title: "Διακοπή λειτουργίας στο Facebook",
            summaryPrefix: "Οι χρήστες ανέφεραν")
        try assertDetected(
            "rss2-undeclared-windows-1255-hebrew.xml", as: "windows-1255", title: "תקלה גדולה בפייסבוק",
            summaryPrefix: "משתמשים דיווחו")
    }

    func testUndeclaredJapaneseChineseAndKorean() throws {
        try assertDetected(
            "rss2-undeclared-shift-jis-japanese.xml", as: "shift_jis", title: "フェイスブックで大規模障害",
            summaryPrefix: "複数の地域で")
        try assertDetected(
            "rss2-undeclared-gb18030-chinese.xml", as: "gb18030", title: "脸书出现大规模故障", summaryPrefix: "多个地区的用户")
        try assertDetected(
            "rss2-undeclared-big5-chinese.xml", as: "big5", title: "臉書出現大規模故障", summaryPrefix: "多個地區的用戶")
        try assertDetected(
            "rss2-undeclared-euc-kr-korean.xml", as: "uhc", title: "페이스북 대규모 장애", summaryPrefix: "여러 지역의")
    }

    func testTooLittleTextForTheDetectorIsReadAsWindows1252() throws {
        let feed = try Fixture.parse("rss2-undeclared-short-windows-1252.xml")
        // The detector names ISO-8859-2 here, on two accented letters that both charsets share.
        XCTAssertEqual(feed.items.map(\.title), ["Noël Télégram"])
        XCTAssertEqual(
            feed.warnings,
            [
                "no charset declared and the bytes are not UTF-8: read as windows-1252 "
                    + "(the usual charset of undeclared Western text)"
            ])
    }

    func testBytesTheDetectorCannotPlaceAreReadAsWindows1252() throws {
        let noise = Data((0x80...0xFF).map { UInt8($0) })
        let (charset, detected) = CharsetDetector.detect(noise[...])
        XCTAssertEqual(charset, "windows-1252")
        XCTAssertFalse(detected)
    }

    func testDeclaredCharsetsKeepWinning() throws {
        // The same Latin-1 bytes, labelled windows-1251 by the server: the label is obeyed.
        let overHTTP = try Fixture.parse("rss2-undeclared-iso8859-1-french.xml", httpCharset: "windows-1251")
        XCTAssertEqual(overHTTP.items.first?.title, "Panne gйante chez Facebook, Tйlйgram gagne des utilisateurs")
        XCTAssertEqual(overHTTP.warnings, [])
        // Declared UTF-8 that is not: replacement characters, as before, no guessing.
        let declared = try Fixture.parse("rss2-declared-utf8-served-latin1.xml")
        XCTAssertEqual(declared.warnings, ["4 invalid byte(s) replaced by U+FFFD"])
    }

    func testUndeclaredValidUTF8IsNotDetected() throws {
        let document = "<rss version=\"2.0\"><channel><item><title>Télégram ×2 — 日本</title></item></channel></rss>"
        let feed = try FeedParser.parse(Data(document.utf8), url: Fixture.feedURL)
        XCTAssertEqual(feed.items.map(\.title), ["Télégram ×2 — 日本"])
        XCTAssertEqual(feed.warnings, [])
    }
}
