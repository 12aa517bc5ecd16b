// RSS 0.91–0.94 and 2.0: `<rss><channel>…<item>…</item></channel></rss>`, read into a small RSS
// model, then adapted onto FeedItem.
import Foundation

/// One `<item>` as RSS has it.
struct RSSItem {
    var title = ""
    var link = ""
    var description = ""
    var guid = ""
    var guidIsPermaLink = true
    var pubDate = ""
    var authors: [String] = []
    var categories: [String] = []
    var enclosures: [FeedEnclosure] = []
    var extensions = ItemExtensions()

    mutating func appendAuthor(_ name: String) { append(name, to: &authors) }
    mutating func appendCategory(_ name: String) { append(name, to: &categories) }
}

/// Reads an RSS document element by element.
final class RSSReader: XMLFormatReader {
    let format: FeedFormat
    @exclusivity(unchecked) private var channelTitle = ""
    @exclusivity(unchecked) private var channelLink = ""
    @exclusivity(unchecked) private var channelAtomLinks: [AtomLink] = []
    @exclusivity(unchecked) private var ttl: Int?
    @exclusivity(unchecked) private var channelDepth = -1
    @exclusivity(unchecked) private var item: RSSItem?
    @exclusivity(unchecked) private var itemDepth = -1

    init(version: String) {
        let trimmed = version.trimmingWhitespace()
        format = trimmed.hasPrefix("0.9") ? .rss09x : .rss20
    }

    func didStart(_ element: XMLElementName, _ context: XMLFeedContext) -> TextMode? {
        if item != nil {
            if element.depth == itemDepth + 1 || Namespace.isReadAtAnyDepth(element.namespace) {
                return itemFieldStarts(element, context)
            }
            return nil
        }
        if element.local == "item" && element.namespace.isEmpty {
            item = RSSItem()
            itemDepth = element.depth
            return nil
        }
        if element.local == "channel" && element.depth == 1 {
            channelDepth = 1
            return nil
        }
        guard element.depth == channelDepth + 1 else { return nil }
        if element.namespace.isEmpty {
            switch element.local {
            case "title": return .html
            case "link", "ttl": return .raw
            default: return nil
            }
        }
        if Namespace.isAtom(element.namespace), element.local == "link", let href = context.attribute("href") {
            channelAtomLinks.append(
                AtomLink(
                    rel: context.attribute("rel") ?? "alternate",
                    href: context.absoluteLink(href), type: context.attribute("type") ?? ""))
        }
        return nil
    }

    private func itemFieldStarts(_ element: XMLElementName, _ context: XMLFeedContext) -> TextMode? {
        guard element.namespace.isEmpty else {
            let (_, mode) = item?.extensions.didStart(element, context) ?? (false, nil)
            return mode
        }
        switch element.local {
        case "title", "description", "author", "category": return .html
        case "link", "pubDate", "comments": return .raw
        case "guid":
            item?.guidIsPermaLink = context.attribute("isPermaLink")?.lowercased() != "false"
            return .raw
        case "enclosure":
            if let url = context.attribute("url"), !url.isEmpty {
                item?.enclosures.append(
                    FeedEnclosure(
                        url: context.absoluteLink(url),
                        type: context.attribute("type") ?? "",
                        length: context.attribute("length").flatMap { Int($0) }))
            }
            return nil
        default: return nil
        }
    }

    func didEnd(_ element: XMLElementName, text: CapturedText?, _ context: XMLFeedContext) {
        // Fields are set through `item?.` so the item is mutated in place, never copied per field.
        if item != nil {
            // Taken, not copied: a copy retains every string of the item only to release them again.
            if element.depth == itemDepth, element.local == "item", let finished = item.take() {
                context.finishedItems.append(RSSAdapter.feedItem(finished, context))
                return
            }
            guard let text else { return }
            if !element.namespace.isEmpty {
                item?.extensions.didEnd(element, text: text)
                return
            }
            switch element.local {
            case "title": item?.title = text.plainText
            case "description": item?.description = text.plainText
            case "link": if item?.link.isEmpty == true { item?.link = context.absoluteLink(text.raw) }
            case "guid": item?.guid = text.raw
            case "pubDate": item?.pubDate = text.raw
            case "author": item?.appendAuthor(RSSAdapter.authorName(text.plainText))
            case "category": item?.appendCategory(text.plainText)
            default: break
            }
            return
        }
        guard let text, element.depth == channelDepth + 1, element.namespace.isEmpty else { return }
        switch element.local {
        case "title": channelTitle = text.plainText
        case "link": if channelLink.isEmpty { channelLink = context.absoluteLink(text.raw) }
        case "ttl": ttl = Int(text.raw)
        default: break
        }
    }

    func header(_ context: XMLFeedContext) -> (title: String, link: String, ttl: Int?) {
        let link =
            channelLink.isEmpty
            ? channelAtomLinks.first(where: { $0.rel == "alternate" })?.href ?? "" : channelLink
        return (channelTitle, link, ttl)
    }
}

/// Maps the RSS model onto the common item.
enum RSSAdapter {
    static func feedItem(_ rss: RSSItem, _ context: XMLFeedContext) -> FeedItem {
        var item = FeedItem()
        let ext = rss.extensions
        item.title = rss.title.isEmpty ? ext.mediaTitle : rss.title
        item.link = rss.link
        if item.link.isEmpty { item.link = ext.alternateLink ?? "" }
        if item.link.isEmpty, rss.guidIsPermaLink, rss.guid.hasPrefix("http://") || rss.guid.hasPrefix("https://") {
            item.link = rss.guid
        }
        item.summary = rss.description.isEmpty ? ext.fallbackSummary : rss.description
        item.content = ext.contentEncoded
        item.authors = rss.authors
        for creator in ext.extraAuthors { append(creator, to: &item.authors) }
        item.categories = rss.categories
        for subject in ext.extraCategories { append(subject, to: &item.categories) }
        if !rss.pubDate.isEmpty {
            item.published = context.date(rss.pubDate, field: "pubDate", itemTitle: item.title)
        } else {
            item.published = context.date(ext.dcDate, field: "dc:date", itemTitle: item.title)
        }
        item.updated = context.date(ext.atomUpdated, field: "atom:updated", itemTitle: item.title)
        item.enclosures = rss.enclosures
        for media in ext.media where !item.enclosures.contains(where: { $0.url == media.url }) {
            item.enclosures.append(media)
        }
        item.thumbnail = ext.thumbnail
        ItemIdentity.assign(guid: rss.guid, to: &item)
        return item
    }

    /// RSS `<author>` is an e-mail address, often "jane@example.org (Jane Doe)": the name is kept.
    static func authorName(_ author: String) -> String {
        if let open = author.firstIndex(of: "("), let close = author.lastIndex(of: ")"), open < close,
            author[..<open].contains("@")
        {
            let name = String(author[author.index(after: open)..<close]).trimmingWhitespace()
            if !name.isEmpty { return name }
        }
        return author
    }
}
