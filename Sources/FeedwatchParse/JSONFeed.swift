// JSON Feed 1.0 and 1.1 (jsonfeed.org), read with JSONSerialization into a small model (lenient about
// numbers given as ids and the 1.0 `author` beside the 1.1 `authors`), then adapted onto FeedItem.
import Foundation

/// A JSON Feed item as the format has it.
struct JSONFeedItem {
    var id = ""
    var url = ""
    var externalURL = ""
    var title = ""
    var contentHTML = ""
    var contentText = ""
    var summary = ""
    var datePublished = ""
    var dateModified = ""
    var authors: [String] = []
    var tags: [String] = []
    var attachments: [FeedEnclosure] = []
    var image = ""
}

enum JSONFeed {
    static func read(_ data: Data, url: String, warnings: [String], onItem: (consuming FeedItem) -> Void)
        throws(FeedParseError) -> FeedHeader
    {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data, options: [])
        } catch {
            throw FeedParseError(description: "not a feed: the document looks like JSON but does not parse as JSON")
        }
        guard let feed = object as? [String: Any], let items = feed["items"] as? [Any] else {
            throw FeedParseError(description: "not a feed: JSON without an \"items\" list is not a JSON Feed")
        }
        var warnings = warnings
        if let version = feed["version"] as? String, !version.contains("jsonfeed.org/version/1") {
            warnings.append("unknown JSON Feed version \"\(version)\": read as 1.1")
        }
        let feedAuthors = authorNames(feed)
        var count = 0
        for case let entry as [String: Any] in items {
            let model = item(entry)
            onItem(adapt(model, feedURL: url, feedAuthors: feedAuthors, warnings: &warnings))
            count += 1
        }
        return FeedHeader(
            format: .jsonFeed, title: HTMLText.plainText(html: string(feed["title"])),
            link: absolute(string(feed["home_page_url"]), url), ttlMinutes: nil, warnings: warnings,
            itemCount: count)
    }

    private static func string(_ value: Any?) -> String {
        switch value {
        case let text as String: return text
        case let number as NSNumber: return number.stringValue
        default: return ""
        }
    }

    private static func authorNames(_ object: [String: Any]) -> [String] {
        var names: [String] = []
        let list =
            (object["authors"] as? [[String: Any]] ?? []) + [object["author"] as? [String: Any]].compactMap { $0 }
        for author in list { append(HTMLText.collapsed(string(author["name"])), to: &names) }
        return names
    }

    private static func item(_ entry: [String: Any]) -> JSONFeedItem {
        var model = JSONFeedItem()
        model.id = string(entry["id"])
        model.url = string(entry["url"])
        model.externalURL = string(entry["external_url"])
        model.title = string(entry["title"])
        model.contentHTML = string(entry["content_html"])
        model.contentText = string(entry["content_text"])
        model.summary = string(entry["summary"])
        model.datePublished = string(entry["date_published"])
        model.dateModified = string(entry["date_modified"])
        model.authors = authorNames(entry)
        model.tags = (entry["tags"] as? [Any] ?? []).map { string($0) }
        model.image = string(entry["image"])
        for case let attachment as [String: Any] in entry["attachments"] as? [Any] ?? [] {
            let url = string(attachment["url"])
            guard !url.isEmpty else { continue }
            model.attachments.append(
                FeedEnclosure(
                    url: url, type: string(attachment["mime_type"]),
                    length: (attachment["size_in_bytes"] as? NSNumber)?.intValue))
        }
        return model
    }

    private static func absolute(_ link: String, _ base: String) -> String {
        let trimmed = link.trimmingWhitespace()
        guard !trimmed.isEmpty, !XMLFeedContext.hasScheme(trimmed) else { return trimmed }
        return XMLStreamParser.resolve(trimmed, against: base) ?? trimmed
    }

    private static func adapt(_ model: JSONFeedItem, feedURL: String, feedAuthors: [String], warnings: inout [String])
        -> FeedItem
    {
        var item = FeedItem()
        item.title = HTMLText.plainText(html: model.title)
        item.link = absolute(model.url.isEmpty ? model.externalURL : model.url, feedURL)
        item.summary = HTMLText.plainText(html: model.summary)
        item.content =
            model.contentHTML.isEmpty
            ? HTMLText.collapsed(model.contentText) : HTMLText.plainText(html: model.contentHTML)
        item.authors = model.authors.isEmpty ? feedAuthors : model.authors
        for tag in model.tags { append(HTMLText.collapsed(tag), to: &item.categories) }
        func date(_ text: String, _ field: String) -> Date? {
            guard !text.isEmpty else { return nil }
            if let date = Dates.parse(text) { return date }
            if warnings.count < 50 {
                warnings.append("item \"\(item.title.prefix(60))\": unreadable date \"\(text.prefix(60))\" in \(field)")
            }
            return nil
        }
        item.published = date(model.datePublished, "date_published")
        item.updated = date(model.dateModified, "date_modified")
        item.enclosures = model.attachments.map {
            FeedEnclosure(
                url: absolute($0.url, feedURL), type: $0.type,
                length: $0.length)
        }
        item.thumbnail = absolute(model.image, feedURL)
        ItemIdentity.assign(guid: model.id, to: &item)
        return item
    }
}
