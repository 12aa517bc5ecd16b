// Atom 1.0 (RFC 4287) and Atom 0.3: `<feed><entry>…</entry></feed>`. Text constructs say how their
// text is written (type="text|html|xhtml", 0.3's mode="escaped|base64|xml"). Read into a small Atom
// model, then adapted onto FeedItem; entry authors fall back to the feed's, as RFC 4287 says.

/// One `<entry>` as Atom has it.
struct AtomEntry {
    var id = ""
    var title = ""
    var links: [AtomLink] = []
    var summary = ""
    var content = ""
    var authors: [String] = []
    var categories: [String] = []
    var published = ""
    var publishedField = "published"
    var updated = ""
    var updatedField = "updated"
    var extensions = ItemExtensions()
}

/// Reads an Atom document element by element.
final class AtomReader: XMLFormatReader {
    let format: FeedFormat
    private let version03: Bool
    @exclusivity(unchecked) private var feedTitle = ""
    @exclusivity(unchecked) private var feedLinks: [AtomLink] = []
    @exclusivity(unchecked) private var feedAuthors: [String] = []
    @exclusivity(unchecked) private var entry: AtomEntry?
    @exclusivity(unchecked) private var entryDepth = -1
    /// Depth of an `<author>` being read, and of a `<source>` whose contents are not the entry's.
    @exclusivity(unchecked) private var authorDepth: Int?
    @exclusivity(unchecked) private var sourceDepth: Int?

    init(version03: Bool) {
        self.version03 = version03
        format = version03 ? .atom03 : .atom10
    }

    private func isAtom(_ element: XMLElementName) -> Bool {
        element.namespace == Namespace.atom10 || element.namespace == Namespace.atom03 || element.namespace.isEmpty
    }

    /// How a text construct's text is written, or nil for content that is not text (an image…).
    private func textMode(_ context: XMLFeedContext) -> TextMode? {
        let mode = context.attribute("mode")?.lowercased()
        let type = context.attribute("type")?.lowercased() ?? (version03 ? "text/plain" : "text")
        let isHTML = type == "html" || type == "text/html"
        if mode == "base64" {
            // Only text is read: base64 content of another type (an image, a PDF) has no words.
            if isHTML || type == "xhtml" || type == "application/xhtml+xml" { return .base64(html: true) }
            return type == "text" || type.hasPrefix("text/") ? .base64(html: false) : nil
        }
        if version03, mode == "escaped" { return isHTML ? .html : .plain }
        switch type {
        case "text", "text/plain": return .plain
        case "html", "text/html": return version03 ? .xhtml : .html
        case "xhtml", "application/xhtml+xml": return .xhtml
        default: return type.hasPrefix("text/") ? .plain : nil
        }
    }

    private func readLink(_ context: XMLFeedContext) -> AtomLink? {
        guard let href = context.attribute("href") else { return nil }
        return AtomLink(
            rel: context.attribute("rel") ?? "alternate", href: context.absoluteLink(href),
            type: context.attribute("type") ?? "")
    }

    func didStart(_ element: XMLElementName, _ context: XMLFeedContext) -> TextMode? {
        if sourceDepth != nil { return nil }
        if authorDepth != nil {
            return element.local == "name" && isAtom(element) ? .plain : nil
        }
        guard entry != nil else { return feedFieldStarts(element, context) }
        guard isAtom(element) else {
            guard element.depth == entryDepth + 1 || Namespace.isReadAtAnyDepth(element.namespace) else { return nil }
            return entry?.extensions.didStart(element, context).mode
        }
        guard element.depth == entryDepth + 1 else { return nil }
        switch element.local {
        case "title", "summary", "content": return textMode(context)
        case "id", "published", "updated", "issued", "modified", "created": return .raw
        case "link":
            if let link = readLink(context) { entry?.links.append(link) }
            return nil
        case "category":
            let label = context.attribute("label") ?? context.attribute("term") ?? ""
            append(HTMLText.collapsed(label), to: &entry!.categories)
            return nil
        case "author":
            authorDepth = element.depth
            return nil
        case "source":
            sourceDepth = element.depth
            return nil
        default: return nil
        }
    }

    private func feedFieldStarts(_ element: XMLElementName, _ context: XMLFeedContext) -> TextMode? {
        guard isAtom(element), element.depth == 1 else { return nil }
        switch element.local {
        case "entry":
            entry = AtomEntry()
            entryDepth = element.depth
            return nil
        case "title": return textMode(context)
        case "link":
            if let link = readLink(context) { feedLinks.append(link) }
            return nil
        case "author":
            authorDepth = element.depth
            return nil
        default: return nil
        }
    }

    func didEnd(_ element: XMLElementName, text: CapturedText?, _ context: XMLFeedContext) {
        if let depth = sourceDepth {
            if element.depth == depth { sourceDepth = nil }
            return
        }
        if let depth = authorDepth {
            if element.depth == depth {
                authorDepth = nil
            } else if let text, element.local == "name" {
                let name = text.plainText
                if entry != nil { append(name, to: &entry!.authors) } else { append(name, to: &feedAuthors) }
            }
            return
        }
        guard entry != nil else {
            if let text, element.depth == 1, element.local == "title" { feedTitle = text.plainText }
            return
        }
        // Taken, not copied: a copy retains every string of the entry on every end tag.
        if element.depth == entryDepth, let current = entry.take() {
            context.finishedItems.append(feedItem(current, context))
            return
        }
        guard let text else { return }
        // Fields are set through `entry?.` so the entry is mutated in place, never copied per field.
        if !isAtom(element) {
            entry?.extensions.didEnd(element, text: text)
            return
        }
        switch element.local {
        case "id": entry?.id = text.raw
        case "title": entry?.title = text.plainText
        case "summary": entry?.summary = text.plainText
        case "content": entry?.content = text.plainText
        case "published", "issued", "created":
            if entry?.published.isEmpty == true || element.local == "published" {
                entry?.published = text.raw
                entry?.publishedField = element.local
            }
        case "updated", "modified":
            entry?.updated = text.raw
            entry?.updatedField = element.local
        default: break
        }
    }

    func header(_ context: XMLFeedContext) -> (title: String, link: String, ttl: Int?) {
        (feedTitle, Self.alternate(feedLinks) ?? "", nil)
    }

    /// The page a link list points to: rel="alternate", HTML first.
    private static func alternate(_ links: [AtomLink]) -> String? {
        let alternates = links.filter { $0.rel == "alternate" && !$0.href.isEmpty }
        return (alternates.first(where: { $0.type.isEmpty || $0.type.contains("html") }) ?? alternates.first)?.href
    }

    /// The adapter.
    private func feedItem(_ atom: AtomEntry, _ context: XMLFeedContext) -> FeedItem {
        let ext = atom.extensions
        var item = FeedItem()
        item.title = atom.title.isEmpty ? ext.mediaTitle : atom.title
        item.link = Self.alternate(atom.links) ?? ""
        item.summary = atom.summary.isEmpty ? ext.fallbackSummary : atom.summary
        item.content = atom.content
        item.authors = atom.authors.isEmpty ? feedAuthors : atom.authors
        for creator in ext.extraAuthors { append(creator, to: &item.authors) }
        item.categories = atom.categories
        for subject in ext.extraCategories { append(subject, to: &item.categories) }
        item.published = context.date(atom.published, field: atom.publishedField, itemTitle: item.title)
        item.updated = context.date(atom.updated, field: atom.updatedField, itemTitle: item.title)
        item.enclosures = atom.links.filter { $0.rel == "enclosure" }.map { FeedEnclosure(url: $0.href, type: $0.type) }
        for media in ext.media where !item.enclosures.contains(where: { $0.url == media.url }) {
            item.enclosures.append(media)
        }
        item.thumbnail = ext.thumbnail
        ItemIdentity.assign(guid: atom.id, to: &item)
        return item
    }
}
