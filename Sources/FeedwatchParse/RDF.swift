// RSS 1.0 and RSS 0.90: `<rdf:RDF><channel/><item rdf:about>…</item></rdf:RDF>`, items beside the
// channel rather than in it. Read into a small RDF model, then adapted onto FeedItem.

/// One `<item>` as RDF has it.
struct RDFItem {
    var about = ""
    var title = ""
    var link = ""
    var description = ""
    var extensions = ItemExtensions()
}

/// Reads an RDF (RSS 1.0 / 0.90) document element by element.
final class RDFReader: XMLFormatReader {
    @exclusivity(unchecked) private(set) var format: FeedFormat = .rss10
    @exclusivity(unchecked) private var channelTitle = ""
    @exclusivity(unchecked) private var channelLink = ""
    @exclusivity(unchecked) private var inChannel = false
    @exclusivity(unchecked) private var item: RDFItem?
    @exclusivity(unchecked) private var itemDepth = -1

    private func isRSSNamespace(_ uri: String) -> Bool {
        if uri == Namespace.rss090 {
            format = .rss09x
            return true
        }
        return uri == Namespace.rss10
    }

    func didStart(_ element: XMLElementName, _ context: XMLFeedContext) -> TextMode? {
        if item != nil {
            guard element.depth == itemDepth + 1 || Namespace.isReadAtAnyDepth(element.namespace) else { return nil }
            if element.namespace == Namespace.rss10 || element.namespace == Namespace.rss090 {
                switch element.local {
                case "title", "description": return .html
                case "link": return .raw
                default: return nil
                }
            }
            return item?.extensions.didStart(element, context).mode
        }
        if element.depth == 1, isRSSNamespace(element.namespace) {
            if element.local == "item" {
                item = RDFItem(about: context.attribute("about", namespace: Namespace.rdf) ?? "")
                itemDepth = element.depth
            } else {
                inChannel = element.local == "channel"
            }
            return nil
        }
        if inChannel, element.depth == 2, isRSSNamespace(element.namespace) {
            switch element.local {
            case "title": return .html
            case "link": return .raw
            default: return nil
            }
        }
        return nil
    }

    func didEnd(_ element: XMLElementName, text: CapturedText?, _ context: XMLFeedContext) {
        // Taken and put back, not copied: a copy retains every string of the item on every end tag.
        if var current = item.take() {
            if element.depth == itemDepth {
                context.finishedItems.append(feedItem(current, context))
                return
            }
            // An element whose text was not asked for (dc:identifier, prism:section, any other
            // namespace) leaves the item as it was: it must be put back, or the whole item is lost.
            defer { item = current }
            guard let text else { return }
            if element.namespace == Namespace.rss10 || element.namespace == Namespace.rss090 {
                switch element.local {
                case "title": current.title = text.plainText
                case "description": current.description = text.plainText
                case "link": current.link = context.absoluteLink(text.raw)
                default: break
                }
            } else {
                current.extensions.didEnd(element, text: text)
            }
            return
        }
        if element.depth == 1 { inChannel = false }
        guard inChannel, element.depth == 2, let text else { return }
        switch element.local {
        case "title": channelTitle = text.plainText
        case "link": channelLink = context.absoluteLink(text.raw)
        default: break
        }
    }

    func header(_ context: XMLFeedContext) -> (title: String, link: String, ttl: Int?) {
        (channelTitle, channelLink, nil)
    }

    /// The adapter: RDF has no guid, so the id is the link, else rdf:about, else the hash.
    private func feedItem(_ rdf: RDFItem, _ context: XMLFeedContext) -> FeedItem {
        let ext = rdf.extensions
        var item = FeedItem()
        item.title = rdf.title.isEmpty ? ext.mediaTitle : rdf.title
        item.link = rdf.link.isEmpty ? context.absoluteLink(rdf.about) : rdf.link
        item.summary = rdf.description.isEmpty ? ext.fallbackSummary : rdf.description
        item.content = ext.contentEncoded
        item.authors = ext.extraAuthors
        item.categories = ext.extraCategories
        item.published = context.date(ext.dcDate, field: "dc:date", itemTitle: item.title)
        item.updated = context.date(ext.atomUpdated, field: "atom:updated", itemTitle: item.title)
        item.enclosures = ext.media
        item.thumbnail = ext.thumbnail
        ItemIdentity.assign(guid: "", to: &item)
        return item
    }
}
