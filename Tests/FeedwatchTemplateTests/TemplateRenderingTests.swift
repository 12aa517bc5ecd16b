import FeedwatchTemplate
import XCTest

final class TemplateRenderingTests: XCTestCase {
    private func render(_ source: String, _ alert: TemplateAlert = SampleAlerts.panne) throws -> String {
        try MessageTemplate(source, escaping: .plain).render(alert)
    }

    private func render(_ source: String, group: [TemplateAlert]) throws -> String {
        try MessageTemplate(source, escaping: .plain).render(group: group)
    }

    func testEveryVariableRendersItsValue() throws {
        let expected = [
            "alert_id": "01JD8ZQ5X7KT", "rule": "outages", "keywords": "panne, Facebook", "feed.name": "lemonde",
            "feed.url": "https://www.lemonde.fr/rss/une.xml", "feed.title": "Le Monde.fr", "item.id": "lemonde-6210",
            "item.title": "Panne géante chez Facebook", "item.link": "https://www.lemonde.fr/pixels/6210.html",
            "item.summary": "Les services de Meta sont coupés.", "item.published": "2019-03-14T09:05:00Z",
            "detected_at": "2026-11-24T22:00:00Z", "count": "1",
        ]
        for variable in MessageTemplate.variables where variable != "alerts" {
            XCTAssertEqual(try render("{{\(variable)}}"), expected[variable], variable)
        }
    }

    func testVariablesAreTheOnesTheSpecificationNames() {
        XCTAssertEqual(
            MessageTemplate.variables,
            [
                "alert_id", "rule", "keywords", "feed.name", "feed.url", "feed.title", "item.id", "item.title",
                "item.link", "item.summary", "item.published", "detected_at", "alerts", "count",
            ])
    }

    func testMissingPublishedDateRendersEmpty() throws {
        XCTAssertEqual(try render("[{{item.published}}]", SampleAlerts.coupure), "[]")
    }

    func testKeywordsSectionGoesThroughEachKeyword() throws {
        XCTAssertEqual(try render("{{#keywords}}<{{.}}>{{/keywords}}"), "<panne><Facebook>")
    }

    func testSingleAlertIsAGroupOfOne() throws {
        XCTAssertEqual(try render("{{count}}: {{#alerts}}{{item.id}};{{/alerts}}"), "1: lemonde-6210;")
    }

    func testGroupGoesThroughEveryAlertInOrder() throws {
        let text = try render(
            "{{#alerts}}- {{feed.name}}: {{item.title}}\n{{/alerts}}",
            group: [SampleAlerts.panne, SampleAlerts.coupure])
        XCTAssertEqual(text, "- lemonde: Panne géante chez Facebook\n- ouestfrance: Coupure d'électricité à Rennes\n")
    }

    func testGroupCountIsTheNumberOfAlerts() throws {
        XCTAssertEqual(try render("{{count}} alerts", group: [SampleAlerts.panne, SampleAlerts.coupure]), "2 alerts")
    }

    func testGroupTopLevelVariablesAreThoseOfTheFirstAlert() throws {
        XCTAssertEqual(
            try render("{{item.id}} {{feed.name}}", group: [SampleAlerts.coupure, SampleAlerts.panne]),
            "of-42 ouestfrance")
    }

    func testOuterVariablesStayVisibleInsideAlerts() throws {
        XCTAssertEqual(
            try render(
                "{{#alerts}}{{item.id}}/{{count}} {{/alerts}}", group: [SampleAlerts.panne, SampleAlerts.coupure]),
            "lemonde-6210/2 of-42/2 ")
    }

    func testEmptyGroupRendersCountZeroAndNoAlerts() throws {
        XCTAssertEqual(
            try render("{{count}}[{{item.title}}]{{#alerts}}x{{/alerts}}{{^alerts}}none{{/alerts}}", group: []),
            "0[]none")
    }

    func testSectionOverItemGivesItsFieldsBare() throws {
        XCTAssertEqual(
            try render("{{#item}}{{title}} <{{link}}>{{/item}}"),
            "Panne géante chez Facebook <https://www.lemonde.fr/pixels/6210.html>")
    }

    func testSectionOverFeedGivesItsFieldsBare() throws {
        XCTAssertEqual(try render("{{#feed}}{{title}} ({{name}}){{/feed}}"), "Le Monde.fr (lemonde)")
    }

    func testAlertNamesStayVisibleInsideItemSection() throws {
        XCTAssertEqual(try render("{{#item}}[{{rule}}] {{id}}{{/item}}"), "[outages] lemonde-6210")
    }

    func testSectionOverPresentValueIsShown() throws {
        let source = "{{#item.published}}published {{item.published}}{{/item.published}}"
        XCTAssertEqual(try render(source, SampleAlerts.panne), "published 2019-03-14T09:05:00Z")
    }

    func testSectionOverMissingValueIsSkipped() throws {
        let source = "{{#item.published}}published {{item.published}}{{/item.published}}"
        XCTAssertEqual(try render(source, SampleAlerts.coupure), "")
    }

    func testInvertedSectionIsShownWhenValueIsEmpty() throws {
        var alert = SampleAlerts.panne
        alert.itemLink = ""
        XCTAssertEqual(try render("{{^item.link}}no link{{/item.link}}", alert), "no link")
    }

    func testInvertedSectionIsHiddenWhenValueIsPresent() throws {
        XCTAssertEqual(try render("{{^item.link}}no link{{/item.link}}"), "")
    }

    func testInvertedSectionOverNoKeywordsIsShown() throws {
        var alert = SampleAlerts.panne
        alert.keywords = []
        XCTAssertEqual(
            try render("{{#keywords}}k{{/keywords}}{{^keywords}}no keywords{{/keywords}}", alert), "no keywords")
    }

    func testDotInsideTextSectionIsTheText() throws {
        XCTAssertEqual(try render("{{#item.link}}<{{.}}>{{/item.link}}"), "<https://www.lemonde.fr/pixels/6210.html>")
    }

    func testCommentsRenderNothing() throws {
        XCTAssertEqual(try render("a{{! says why,\n on two lines }}b"), "ab")
    }

    func testCommentEndsAtTheFirstClosingBraces() throws {
        XCTAssertEqual(try render("a{{! {{rule}} }}b"), "a }}b")
    }

    func testStandaloneTagLinesLeaveNoBlankLines() throws {
        let source = """
            {{#alerts}}
            - {{item.id}}
            {{/alerts}}
            {{! end }}
            {{count}} in all
            """
        XCTAssertEqual(
            try render(source, group: [SampleAlerts.panne, SampleAlerts.coupure]), "- lemonde-6210\n- of-42\n2 in all")
    }

    func testLeadingLineBreakIsKept() throws {
        XCTAssertEqual(try render("\n  {{rule}}"), "\n  outages")
    }

    func testTemplateEndingWithABraceRendersIt() throws {
        XCTAssertEqual(try render("{{rule}} {"), "outages {")
        XCTAssertEqual(try render("{"), "{")
    }

    func testEmptyTemplateRendersNothing() throws {
        XCTAssertEqual(try render(""), "")
        XCTAssertEqual(try render("", group: [SampleAlerts.panne, SampleAlerts.coupure]), "")
    }

    func testUnicodeTextIsIntact() throws {
        let alert = SampleAlerts.titled("Télégram en panne 🚨👩🏽‍💻 ǅ e\u{301}")
        XCTAssertEqual(
            try render("🔔 Télégram — {{item.title}} ✅", alert), "🔔 Télégram — Télégram en panne 🚨👩🏽‍💻 ǅ e\u{301} ✅")
    }

    func testWindowsLineEndingsAreKept() throws {
        let source = "Alerts: {{count}}\r\n{{#alerts}}\r\n- {{item.id}}\r\n{{/alerts}}\r\nbye\r\n"
        XCTAssertEqual(
            try render(source, group: [SampleAlerts.panne, SampleAlerts.coupure]),
            "Alerts: 2\r\n- lemonde-6210\r\n- of-42\r\nbye\r\n")
    }

    func testTemplateCompiledOnceRendersManyAlerts() throws {
        let template = try MessageTemplate("{{item.id}}", escaping: .json)
        XCTAssertEqual(template.render(SampleAlerts.panne), "lemonde-6210")
        XCTAssertEqual(template.render(SampleAlerts.coupure), "of-42")
    }
}
