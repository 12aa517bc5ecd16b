import Foundation
import XCTest

@testable import FeedwatchDeliver

/// The e-mail encodings on their own: RFC 2047 header words and folding, quoted-printable, message ids.
final class MIMEEncodingTests: XCTestCase {
    func testLongNonASCIISubjectIsFoldedIntoWordsThatEachDecodeAsUTF8() throws {
        let subject = "[outages] " + String(repeating: "Panne géante chez Télégram 🚨 ", count: 6)
        let field = EncodedHeader.field("Subject", units: EncodedHeader.textUnits(subject))
        XCTAssertTrue(field.hasSuffix("\r\n"))
        let lines = field.components(separatedBy: "\r\n").dropLast()  // the last is the empty one after CRLF
        XCTAssertGreaterThan(lines.count, 3)
        var decoded = ""
        for (index, line) in lines.enumerated() {
            XCTAssertLessThanOrEqual(line.count, 76, line)
            XCTAssertTrue(index == 0 ? line.hasPrefix("Subject: =?UTF-8?B?") : line.hasPrefix(" =?UTF-8?B?"), line)
            let word = line.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "Subject: ", with: "")
            XCTAssertLessThanOrEqual(word.count, 75)
            let payload = try XCTUnwrap(Data(base64Encoded: String(word.dropFirst(10).dropLast(2))))
            // Each word on its own is valid UTF-8: no sequence is split between two words.
            decoded += try XCTUnwrap(String(data: payload, encoding: .utf8), line)
        }
        XCTAssertEqual(decoded, subject.trimmingCharacters(in: .whitespaces))
    }

    func testASCIISubjectStaysReadableUnlessItLooksEncoded() {
        XCTAssertEqual(
            EncodedHeader.field("Subject", units: EncodedHeader.textUnits("[ops] Disk  full")),
            "Subject: [ops] Disk full\r\n")
        XCTAssertTrue(
            EncodedHeader.field("Subject", units: EncodedHeader.textUnits("=?UTF-8?B?Zm9v?=")).hasPrefix(
                "Subject: =?UTF-8?B?PT9VVEYtOD9CP1ptOXY/PQ==?="))
    }

    func testDisplayNamesAreQuotedOrEncoded() throws {
        XCTAssertEqual(
            try XCTUnwrap(EmailAddress("feedwatch <fw@example.org>")).headerUnits, ["feedwatch", "<fw@example.org>"])
        XCTAssertEqual(
            try XCTUnwrap(EmailAddress("\"Watch, Feed\" <fw@example.org>")).headerUnits,
            ["\"Watch, Feed\"", "<fw@example.org>"])
        XCTAssertEqual(
            try XCTUnwrap(EmailAddress("Télé <fw@example.org>")).headerUnits,
            ["=?UTF-8?B?VMOpbMOp?=", "<fw@example.org>"])
        XCTAssertEqual(try XCTUnwrap(EmailAddress("fw@example.org")).headerUnits, ["fw@example.org"])
        XCTAssertNil(EmailAddress("fw@example.org\r\nBcc: x@example.org"))
        XCTAssertNil(EmailAddress("no address"))
    }

    func testQuotedPrintableKeepsLinesShortAndEscapesWhatIsNotPlainASCII() {
        let long = String(repeating: "é=abc ", count: 40) + " "
        let encoded = QuotedPrintable.encode("first line\n" + long + "\nlast\t")
        for line in encoded.components(separatedBy: "\r\n") {
            XCTAssertLessThanOrEqual(line.count, 76, line)
            XCTAssertFalse(line.hasSuffix(" ") || line.hasSuffix("\t"), line)
        }
        XCTAssertTrue(encoded.hasPrefix("first line\r\n=C3=A9=3Dabc =C3=A9"), encoded)
        XCTAssertTrue(encoded.hasSuffix("\r\nlast=09"), encoded)
        XCTAssertFalse(encoded.contains("\n\n"))
    }

    func testMessageIDIsTheAlertIDOrAnEscapedForm() {
        XCTAssertEqual(
            MIMEMessage.idText("0e6f5c4b-93b2-8a1d-9c1e-2f3a4b5c6d7e"), "0e6f5c4b-93b2-8a1d-9c1e-2f3a4b5c6d7e")
        XCTAssertEqual(MIMEMessage.idText("group 1@x>"), "group=201=40x=3E")
        XCTAssertNotEqual(MIMEMessage.idText("a b"), MIMEMessage.idText("a=20b"))
    }

    func testDateIsRFC5322InUTC() {
        XCTAssertEqual(
            MIMEMessage.dateText(Date(timeIntervalSince1970: 1_552_554_300)), "Thu, 14 Mar 2019 09:05:00 +0000")
    }
}
