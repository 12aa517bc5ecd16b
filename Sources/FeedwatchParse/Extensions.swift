// The namespaced extensions RSS and RDF items (and some Atom entries) carry: content:encoded,
// Dublin Core, atom:link inside RSS, Media RSS, the iTunes podcast tags. One small model shared by
// the format readers.

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
    /// media:keywords, itunes:keywords (comma-separated) and itunes:category (nested ones too).
    var keywords: [String] = []
    var itunesAuthors: [String] = []
    var itunesSummary = ""
    var itunesSubtitle = ""

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
            case "keywords":
                return (true, .plain)
            default:
                return (false, nil)
            }
        case let uri where Namespace.isITunes(uri):
            switch element.local {
            case "author", "keywords", "summary", "subtitle": return (true, .html)
            case "category":
                // <itunes:category text="Technology"><itunes:category text="Tech News"/></…>
                if let text = context.attribute("text") { append(HTMLText.collapsed(text), to: &keywords) }
                return (true, nil)
            default: return (false, nil)
            }
        default:
            return (false, nil)
        }
    }

    /// Keeps the text of an extension element asked for in `didStart`.
    mutating func didEnd(_ element: XMLElementName, text: CapturedText) {
        if Namespace.isITunes(element.namespace) {
            switch element.local {
            case "author": append(text.plainText, to: &itunesAuthors)
            case "keywords": appendKeywordList(text.plainText)
            case "summary": if itunesSummary.isEmpty { itunesSummary = text.plainText }
            case "subtitle": if itunesSubtitle.isEmpty { itunesSubtitle = text.plainText }
            default: break
            }
            return
        }
        switch (element.namespace, element.local) {
        case (Namespace.content, "encoded"): contentEncoded = text.plainText
        case (Namespace.dc, "creator"), (Namespace.dcTerms, "creator"): append(text.plainText, to: &creators)
        case (Namespace.dc, "subject"), (Namespace.dcTerms, "subject"): append(text.plainText, to: &subjects)
        case (Namespace.dc, _), (Namespace.dcTerms, _): if dcDate.isEmpty { dcDate = text.raw }
        case (let ns, "updated") where Namespace.isAtom(ns): atomUpdated = text.raw
        case (_, "keywords"): appendKeywordList(text.plainText)
        case (_, "title"): if mediaTitle.isEmpty { mediaTitle = text.plainText }
        case (_, "description"): if mediaDescription.isEmpty { mediaDescription = text.plainText }
        default: break
        }
    }

    /// "news, outage,  panne": each non-empty entry once.
    private mutating func appendKeywordList(_ list: String) {
        for keyword in list.split(separator: ",") {
            append(String(keyword).trimmingWhitespace(), to: &keywords)
        }
    }

    /// The summary of an item whose format gave none: a podcast's itunes:summary, then its
    /// itunes:subtitle, then media:description.
    var fallbackSummary: String {
        !itunesSummary.isEmpty ? itunesSummary : !itunesSubtitle.isEmpty ? itunesSubtitle : mediaDescription
    }

    /// Authors beyond the format's own: dc:creator, then itunes:author.
    var extraAuthors: [String] { creators + itunesAuthors }

    /// Categories beyond the format's own: dc:subject, then keywords and iTunes categories.
    var extraCategories: [String] { subjects + keywords }

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
