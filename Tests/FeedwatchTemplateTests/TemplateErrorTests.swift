import XCTest

@testable import FeedwatchTemplate

final class TemplateErrorTests: XCTestCase {
    private let known =
        "(variables: alert_id, rule, keywords, feed.name, feed.url, feed.title, item.id, item.title, item.link,"
        + " item.summary, item.published, detected_at, alerts, count)"

    /// The error compiling `source` throws, or a failure when it compiles.
    private func error(
        _ source: String, _ escaping: TemplateEscaping = .plain, file: StaticString = #filePath, line: UInt = #line
    ) -> TemplateError? {
        do {
            _ = try MessageTemplate(source, escaping: escaping)
            XCTFail("\(source.debugDescription) compiled", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }

    func testMisspeltFieldIsUnknownWithASuggestion() {
        XCTAssertEqual(
            error("Title: {{item.titel}}"),
            TemplateError(
                line: 1, column: 8, message: "unknown variable \"item.titel\" — did you mean \"item.title\"? \(known)"))
    }

    func testUnknownNameIsRejected() {
        XCTAssertEqual(
            error("{{foo}}"), TemplateError(line: 1, column: 1, message: "unknown variable \"foo\" \(known)"))
    }

    func testUnknownNameInsideAlertsIsRejectedAtItsTag() {
        XCTAssertEqual(
            error("{{#alerts}}\n  - {{nope}}\n{{/alerts}}"),
            TemplateError(line: 2, column: 5, message: "unknown variable \"nope\" \(known)"))
    }

    func testUnknownSectionNameIsRejected() {
        XCTAssertEqual(
            error("x\n{{#alert}}{{/alert}}"),
            TemplateError(line: 2, column: 1, message: "unknown variable \"alert\" — did you mean \"alerts\"? \(known)")
        )
    }

    func testUnknownNameInTripleMustacheIsRejected() {
        XCTAssertEqual(error("{{{ nope }}}")?.message, "unknown variable \"nope\" \(known)")
    }

    func testItemFieldNeedsItsPrefixOutsideAnItemSection() {
        XCTAssertEqual(
            error("{{title}}"),
            TemplateError(line: 1, column: 1, message: "unknown variable \"title\" \(known)"))
    }

    func testMisspeltBareFieldInsideItemSectionGetsASuggestion() {
        XCTAssertEqual(
            error("{{#item}}{{titel}}{{/item}}")?.message,
            "unknown variable \"titel\" — did you mean \"title\"? \(known)")
    }

    func testGroupOfFieldsIsNotText() {
        XCTAssertEqual(
            error("{{item}}"),
            TemplateError(
                line: 1, column: 1,
                message: "\"item\" is a group of fields, not text: use item.id, item.title, item.link, item.summary"
                    + " or item.published"))
    }

    func testListOfAlertsIsNotText() {
        XCTAssertEqual(
            error("{{alerts}}"),
            TemplateError(
                line: 1, column: 1, message: "\"alerts\" is a list: go through it with {{#alerts}}…{{/alerts}}"))
    }

    func testDotOutsideASectionIsRejected() {
        XCTAssertEqual(
            error("a {{.}}"),
            TemplateError(
                line: 1, column: 3,
                message: "{{.}} stands for the value of the section around it and is only allowed inside a section"))
    }

    func testDotInsideAlertsIsNotText() {
        XCTAssertEqual(
            error("{{#alerts}}{{.}}{{/alerts}}"),
            TemplateError(
                line: 1, column: 12,
                message: "{{.}} here is not text but a group of fields: name one, e.g. {{item.title}}"))
    }

    func testSigilAfterASpaceIsRejected() {
        XCTAssertEqual(
            error("{{ #alerts}}"),
            TemplateError(line: 1, column: 1, message: "in {{ #alerts}} the \"#\" must come right after {{"))
    }

    func testEmptyTagIsRejected() {
        XCTAssertEqual(
            error("a\n b {{#}}"), TemplateError(line: 2, column: 4, message: "the tag {{#}} names no variable"))
    }

    func testPartialsAreRejected() {
        XCTAssertEqual(
            error("Hi {{> footer}}"),
            TemplateError(line: 1, column: 4, message: "partials ({{> name}}) are not supported in feedwatch templates")
        )
    }

    func testDelimiterChangesAreRejected() {
        XCTAssertEqual(
            error("{{=<% %>=}}\n<% rule %>"),
            TemplateError(
                line: 1, column: 1,
                message: "changing the delimiters ({{=<% %>=}}) is not supported in feedwatch templates"))
    }

    func testPragmasAreRejected() {
        XCTAssertEqual(
            error("{{% CONTENT_TYPE: TEXT}}{{rule}}"),
            TemplateError(line: 1, column: 1, message: "pragmas ({{% … }}) are not supported in feedwatch templates"))
    }

    func testTemplateInheritanceIsRejected() {
        let message = "template inheritance ({{< name}}, {{$ name}}) is not supported in feedwatch templates"
        XCTAssertEqual(error("{{< base}}{{/base}}"), TemplateError(line: 1, column: 1, message: message))
        XCTAssertEqual(error("x {{$ block}}{{/block}}"), TemplateError(line: 1, column: 3, message: message))
    }

    func testUnclosedSectionIsReportedAtItsOpeningTag() {
        XCTAssertEqual(
            error("Alerts:\n  {{#alerts}}\n- {{item.title}}\n"),
            TemplateError(
                line: 2, column: 3, message: "the section {{#alerts}} is never closed: end it with {{/alerts}}"))
    }

    func testUnclosedInvertedSectionIsReported() {
        XCTAssertEqual(
            error("{{^item.link}}no link"),
            TemplateError(
                line: 1, column: 1, message: "the section {{^item.link}} is never closed: end it with {{/item.link}}"))
    }

    func testClosingTheWrongSectionIsReportedAtTheClosingTag() {
        XCTAssertEqual(
            error("{{#alerts}}\n{{#item}}{{title}}{{/alerts}}{{/item}}"),
            TemplateError(
                line: 2, column: 19,
                message:
                    "{{/alerts}} does not close the open section {{#item}} at 2:1: close that one first with {{/item}}")
        )
    }

    func testClosingTagWithoutSectionIsRejected() {
        XCTAssertEqual(
            error("{{rule}}{{/alerts}}"),
            TemplateError(line: 1, column: 9, message: "{{/alerts}} closes no open section"))
    }

    func testUnfinishedTagIsReportedAtItsStart() {
        XCTAssertEqual(
            error("Hi {{item.title\nbye"),
            TemplateError(line: 1, column: 4, message: "the tag \"{{item.title\" is never closed: end it with \"}}\""))
    }

    func testTagRunningIntoTheNextIsUnfinished() {
        XCTAssertEqual(
            error("{{item.title} {{rule}}"),
            TemplateError(
                line: 1, column: 1, message: "the tag \"{{item.title} {{rule}}\" is never closed: end it with \"}}\""))
    }

    func testTripleMustacheClosedWithTwoBracesIsUnfinished() {
        XCTAssertEqual(
            error("{{{item.title}} x"),
            TemplateError(
                line: 1, column: 1, message: "the tag \"{{{item.title}} x\" is never closed: end it with \"}}}\""))
    }

    func testUnfinishedCommentIsReported() {
        XCTAssertEqual(
            error("a\n{{! to do"),
            TemplateError(line: 2, column: 1, message: "the comment \"{{! to do\" is never closed: end it with \"}}\""))
    }

    func testLongUnfinishedTagIsShortenedInTheMessage() {
        XCTAssertEqual(
            error("{{item.title and a great deal of text")?.message,
            "the tag \"{{item.title and a great deal …\" is never closed: end it with \"}}\"")
    }

    func testFirstProblemInTheTextIsTheOneReported() {
        XCTAssertEqual(error("{{#alerts}}{{foo}}")?.line, 1)
        XCTAssertEqual(error("{{#alerts}}{{foo}}")?.column, 12)
    }

    func testColumnsCountCharactersNotBytes() {
        XCTAssertEqual(error("Télégram 🚨👩🏽‍💻 {{foo}}").map { [$0.line, $0.column] }, [1, 13])
    }

    func testLinesAndColumnsWithWindowsLineEndings() {
        XCTAssertEqual(error("a\r\nb\r\n  {{foo}}\r\n").map { [$0.line, $0.column] }, [3, 3])
    }

    func testDescriptionIsLineColumnAndMessage() {
        XCTAssertEqual(
            TemplateError(line: 3, column: 7, message: "unknown variable \"foo\"").description,
            "3:7: unknown variable \"foo\"")
    }

    func testMustacheParseErrorKeepsItsPlaceBelowTheEscapingHeader() {
        XCTAssertThrowsError(try MessageTemplate.compile("{{#alerts}}\n{{/item}}", escaping: .json)) { error in
            XCTAssertEqual(
                error as? TemplateError,
                TemplateError(line: 2, column: 4, message: "this closing tag does not match the section that is open"))
        }
    }

    func testMustacheParseErrorColumnCountsFromTheLineStartAfterWindowsLineEndings() {
        XCTAssertThrowsError(try MessageTemplate.compile("ab\r\n{{#alerts}}\r\n{{.}}", escaping: .html)) { error in
            XCTAssertEqual(
                error as? TemplateError,
                TemplateError(line: 3, column: 6, message: "a section is never closed: end it with {{/name}}"))
        }
    }

    func testMustacheParseErrorOnTheFirstLineKeepsItsColumn() {
        XCTAssertThrowsError(try MessageTemplate.compile("ab {{name", escaping: .plain)) { error in
            XCTAssertEqual((error as? TemplateError).map { [$0.line, $0.column] }, [1, 10])
        }
    }
}
