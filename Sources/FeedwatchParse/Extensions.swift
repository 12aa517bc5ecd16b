// The namespaced extensions RSS and RDF items (and some Atom entries) carry: content:encoded,
// Dublin Core, atom:link inside RSS, Media RSS. One small model shared by the format readers.

/// An `<atom:link>` (or Atom `<link>`): href already absolute.
struct AtomLink {
    var rel: String
    var href: String
    var type: String
}

/// Extension fields of one item.
struct ItemExtensions {
    var contentEncoded = ""
    var creators: [String] = []
    var dcDate = ""
    var subjects: [String] = []
    var atomLinks: [AtomLink] = []
    var atomUpdated = ""
    var media: [FeedEnclosure] = []
    var thumbnail = ""
    var mediaTitle = ""
    var mediaDescription = ""

    /// Whether `element` is an extension this model reads: asks for its text, or reads its attributes.
    mutating func didStart(_ element: XMLElementName, _ context: XMLFeedContext) -> (handled: Bool, mode: TextMode?) {
        switch element.namespace {
        case Namespace.content where element.local == "encoded":
            return (true, .html)
        case Namespace.dc, Namespace.dcTerms:
            switch element.local {
            case "creator", "subject": return (true, .html)
            case "date", "issued", "created": return (true, .raw)
            default: return (false, nil)
            }
        case Namespace.atom10, Namespace.atom03:
            if element.local == "link" {
                if let href = context.attribute("href") {
                    atomLinks.append(
                        AtomLink(
                            rel: context.attribute("rel") ?? "alternate",
                            href: context.absoluteLink(href), type: context.attribute("type") ?? ""))
                }
                return (true, nil)
            }
            if element.local == "updated" { return (true, .raw) }
            return (false, nil)
        case let uri where Namespace.isMedia(uri):
            switch element.local {
            case "content":
                if let url = context.attribute("url") {
                    let link = context.absoluteLink(url)
                    if !media.contains(where: { $0.url == link }) {
                        media.append(
                            FeedEnclosure(
                                url: link, type: context.attribute("type") ?? "",
                                length: context.attribute("fileSize").flatMap { Int($0) }))
                    }
                }
                return (true, nil)
            case "thumbnail":
                if thumbnail.isEmpty, let url = context.attribute("url") { thumbnail = context.absoluteLink(url) }
                return (true, nil)
            case "title", "description":
                let type = context.attribute("type") ?? "plain"
                return (true, type == "html" ? .html : .plain)
            default:
                return (false, nil)
            }
        default:
            return (false, nil)
        }
    }

    /// Keeps the text of an extension element asked for in `didStart`.
    mutating func didEnd(_ element: XMLElementName, text: CapturedText) {
        switch (element.namespace, element.local) {
        case (Namespace.content, "encoded"): contentEncoded = text.plainText
        case (Namespace.dc, "creator"), (Namespace.dcTerms, "creator"): append(text.plainText, to: &creators)
        case (Namespace.dc, "subject"), (Namespace.dcTerms, "subject"): append(text.plainText, to: &subjects)
        case (Namespace.dc, _), (Namespace.dcTerms, _): if dcDate.isEmpty { dcDate = text.raw }
        case (let ns, "updated") where Namespace.isAtom(ns): atomUpdated = text.raw
        case (_, "title"): if mediaTitle.isEmpty { mediaTitle = text.plainText }
        case (_, "description"): if mediaDescription.isEmpty { mediaDescription = text.plainText }
        default: break
        }
    }

    /// The first alternate link, if any.
    var alternateLink: String? {
        atomLinks.first(where: { $0.rel == "alternate" && !$0.href.isEmpty })?.href
    }
}

/// Appends a non-empty value not yet in the list.
func append(_ value: String, to list: inout [String]) {
    guard !value.isEmpty, !list.contains(value) else { return }
    list.append(value)
}
