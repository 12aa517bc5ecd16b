// Drives the libxml2 cursor over an XML feed: finds the root, hands elements to the format's reader
// (RSS, RDF, Atom), collects the text of the fields that reader asks for, and hands finished items
// on as soon as they end, so a document is never held as a tree.
import Foundation

/// How the text of a field is turned into plain text.
enum TextMode {
    /// HTML carried as text (RSS description, Atom type="html"): markup stripped, references decoded.
    case html
    /// Plain text (Atom type="text"): white space collapsed only.
    case plain
    /// Inline XHTML: nested elements are markup, their text is plain.
    case xhtml
    /// Identifiers, links, dates, numbers: trimmed only.
    case raw
    /// Atom 0.3 mode="base64" content, HTML or not once decoded.
    case base64(html: Bool)
}

/// The text collected for one field, lent to `didEnd`: the bytes are valid only during that call.
struct CapturedText {
    var bytes: UnsafeBufferPointer<UInt8>
    var mode: TextMode

    /// Plain text according to the mode.
    var plainText: String {
        switch mode {
        case .html: return HTMLText.plainText(html: bytes)
        case .plain, .xhtml: return HTMLText.collapsed(bytes)
        case .raw: return raw
        case .base64(let html):
            guard let decoded = Self.base64Decoded(bytes) else { return "" }
            let text = String(decoding: decoded, as: UTF8.self)
            return html ? HTMLText.plainText(html: text) : HTMLText.collapsed(text)
        }
    }

    /// The text trimmed, nothing else.
    var raw: String { String(decoding: bytes, as: UTF8.self).trimmingWhitespace() }

    /// Base64 as feeds write it: wrapped in lines, indented, and sometimes without its "=" padding
    /// (which Foundation's decoder requires).
    static func base64Decoded(_ bytes: UnsafeBufferPointer<UInt8>) -> Data? {
        var compact = [UInt8]()
        compact.reserveCapacity(bytes.count)
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "/"):
                compact.append(byte)
            case UInt8(ascii: "-"): compact.append(UInt8(ascii: "+"))  // the URL-safe alphabet
            case UInt8(ascii: "_"): compact.append(UInt8(ascii: "/"))
            default: continue  // white space, padding (restored below), stray characters
            }
        }
        if compact.count % 4 == 1 { return nil }
        while compact.count % 4 != 0 { compact.append(UInt8(ascii: "=")) }
        return Data(base64Encoded: Data(compact))
    }
}

/// An element as the format readers see it.
struct XMLElementName {
    let local: String
    let namespace: String
    let depth: Int
}

/// Namespace URIs the readers know.
enum Namespace {
    static let atom10 = "http://www.w3.org/2005/Atom"
    static let atom03 = "http://purl.org/atom/ns#"
    static let rss10 = "http://purl.org/rss/1.0/"
    static let rss090 = "http://my.netscape.com/rdf/simple/0.9/"
    static let rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    static let content = "http://purl.org/rss/1.0/modules/content/"
    static let dc = "http://purl.org/dc/elements/1.1/"
    static let dcTerms = "http://purl.org/dc/terms/"
    static let media = "http://search.yahoo.com/mrss/"
    static let xhtml = "http://www.w3.org/1999/xhtml"

    static let itunes = "http://www.itunes.com/dtds/podcast-1.0.dtd"

    static func isMedia(_ uri: String) -> Bool { uri == media || uri == "http://search.yahoo.com/mrss" }
    static func isITunes(_ uri: String) -> Bool {
        uri == itunes || uri == "https://www.itunes.com/dtds/podcast-1.0.dtd"
    }
    /// Extensions read at any depth inside an item: Media RSS groups its elements in
    /// `<media:group>`, and iTunes nests a subcategory inside its category.
    static func isReadAtAnyDepth(_ uri: String) -> Bool { isMedia(uri) || isITunes(uri) }
    static func isAtom(_ uri: String) -> Bool { uri == atom10 || uri == atom03 }
}

/// What one format's reader does with the elements of its document.
protocol XMLFormatReader: AnyObject {
    var format: FeedFormat { get }
    /// An element starts outside any captured field; the answer asks for its text, or not.
    func didStart(_ element: XMLElementName, _ context: XMLFeedContext) -> TextMode?
    /// An element ends; `text` is its collected text when `didStart` asked for it.
    func didEnd(_ element: XMLElementName, text: CapturedText?, _ context: XMLFeedContext)
    /// Feed-level title, link and time to live, once the document is read.
    func header(_ context: XMLFeedContext) -> (title: String, link: String, ttl: Int?)
}

/// What format readers may use while reading: attributes, links made absolute, warnings, output.
final class XMLFeedContext {
    let feedURL: String
    @exclusivity(unchecked) private(set) var warnings: [String] = []
    @exclusivity(unchecked) private var suppressedWarnings = 0
    @exclusivity(unchecked) var finishedItems: [FeedItem] = []
    /// Attributes of the element being started (only meaningful inside `didStart`).
    @exclusivity(unchecked) var attributes = XMLAttributes.none
    /// `xml:base` values in effect, innermost last, with the depth of the element that set them.
    @exclusivity(unchecked) var bases: [(depth: Int, uri: String)] = []
    private static let maxWarnings = 50

    init(feedURL: String) {
        self.feedURL = feedURL
    }

    func warn(_ message: String) {
        if warnings.count < Self.maxWarnings { warnings.append(message) } else { suppressedWarnings += 1 }
    }

    var allWarnings: [String] {
        suppressedWarnings == 0 ? warnings : warnings + ["… and \(suppressedWarnings) more warning(s)"]
    }

    /// An attribute of the element being started, by local name and namespace ("" for none).
    func attribute(_ name: String, namespace: String = "") -> String? { attributes.value(name, namespace: namespace) }

    /// The base URI in effect: the innermost `xml:base`, else the feed's URL.
    var baseURI: String { bases.last?.uri ?? feedURL }

    /// `raw` made absolute against the base in effect at the current element.
    func absoluteLink(_ raw: String) -> String {
        let link = raw.trimmingWhitespace()
        guard !link.isEmpty, !Self.hasScheme(link) else { return link }
        return XMLStreamParser.resolve(link, against: baseURI) ?? link
    }

    static func hasScheme(_ link: String) -> Bool {
        var sawLetter = false
        for scalar in link.utf8 {
            switch scalar {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"): sawLetter = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."):
                if !sawLetter { return false }
            case UInt8(ascii: ":"): return sawLetter
            default: return false
            }
        }
        return false
    }

    /// A date field read, or nil with a warning naming the item.
    func date(_ text: String, field: String, itemTitle: String) -> Date? {
        guard !text.isEmpty else { return nil }
        if let date = Dates.parse(text) { return date }
        warn("item \"\(itemTitle.prefix(60))\": unreadable date \"\(text.prefix(60))\" in <\(field)>")
        return nil
    }
}

/// Receives the parser's events, tracks depth and `xml:base`, collects field text, and hands
/// elements to the format reader chosen by the root element.
final class XMLFeedReader: XMLEventHandler {
    /// Longest text kept for one field; a longer field is cut with a warning.
    static let fieldCap = 1 << 20
    /// Most text kept for one document, all fields together.
    static let documentCap = 256 << 20
    private static let xmlNamespace = "http://www.w3.org/XML/1998/namespace"

    private let context: XMLFeedContext
    private let onItem: (consuming FeedItem) -> Void
    @exclusivity(unchecked) private var formatReader: XMLFormatReader?
    @exclusivity(unchecked) private var rootError: FeedParseError?
    @exclusivity(unchecked) private var depth = 0
    @exclusivity(unchecked) private var capture: (element: XMLElementName, mode: TextMode)?
    // Mirrors `capture != nil`: testing the optional tuple copies its strings on every text event.
    @exclusivity(unchecked) private var capturing = false
    @exclusivity(unchecked) private var captureDepth = 0
    // The field's text in storage of our own: an Array costs a generic append per text event and a
    // reset per field, and the text is only lent to `didEnd`, never kept.
    @exclusivity(unchecked) private var buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 1024)
    @exclusivity(unchecked) private var bufferCapacity = 1024
    @exclusivity(unchecked) private var bufferCount = 0
    @exclusivity(unchecked) private var skipUntilDepth: Int?
    @exclusivity(unchecked) private var truncationWarned = false
    @exclusivity(unchecked) private var documentTotal = 0
    @exclusivity(unchecked) private(set) var itemCount = 0

    private init(url: String, onItem: @escaping (consuming FeedItem) -> Void) {
        context = XMLFeedContext(feedURL: url)
        self.onItem = onItem
    }

    deinit { buffer.deallocate() }

    private func appendToBuffer(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress else { return }
        reserveBuffer(bytes.count)
        (buffer + bufferCount).update(from: source, count: bytes.count)
        bufferCount += bytes.count
    }

    private func appendSpaceToBuffer() {
        reserveBuffer(1)
        buffer[bufferCount] = 0x20
        bufferCount += 1
    }

    @inline(__always)
    private func reserveBuffer(_ extra: Int) {
        guard bufferCount + extra > bufferCapacity else { return }
        var capacity = bufferCapacity * 2
        while capacity < bufferCount + extra { capacity *= 2 }
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        grown.update(from: buffer, count: bufferCount)
        buffer.deallocate()
        buffer = grown
        bufferCapacity = capacity
    }

    /// Reads an XML feed held as UTF-8, handing each item to `onItem` as soon as it ends.
    static func read(utf8 bytes: UnsafeRawBufferPointer, url: String, onItem: (consuming FeedItem) -> Void)
        throws(FeedParseError) -> FeedHeader
    {
        try withoutActuallyEscaping(onItem) { (onItem) throws(FeedParseError) -> FeedHeader in
            let reader = XMLFeedReader(url: url, onItem: onItem)
            let parser = XMLStreamParser(handler: reader)
            parser.parse(utf8: bytes)
            return try reader.finish(parser)
        }
    }

    private func drain() {
        let count = context.finishedItems.count
        guard count > 0 else { return }
        itemCount += count
        // Moved out in order, never copied: a copy would retain every string of the item.
        if count > 1 { context.finishedItems.reverse() }
        while let item = context.finishedItems.popLast() { onItem(item) }
    }

    func startElement(localName: String, namespace: String, attributes: XMLAttributes) {
        let elementDepth = depth
        depth += 1
        if let base = attributes.value("base", namespace: Self.xmlNamespace) {
            let resolved =
                XMLStreamParser.resolve(base.trimmingWhitespace(), against: context.baseURI) ?? context.baseURI
            context.bases.append((elementDepth, resolved))
        }
        if capturing {
            guard skipUntilDepth == nil else { return }
            switch HTMLText.kind(of: localName) {
            case .dropped: skipUntilDepth = elementDepth
            case .block: appendSpaceToBuffer()
            case .inline: break
            }
            return
        }
        guard rootError == nil else { return }
        context.attributes = attributes
        defer { context.attributes = .none }
        let element = XMLElementName(local: localName, namespace: namespace, depth: elementDepth)
        if formatReader == nil {
            do throws(FeedParseError) {
                formatReader = try Self.formatReaderFor(root: element, context)
            } catch {
                rootError = error
                return
            }
        }
        if let mode = formatReader?.didStart(element, context) {
            capture = (element, mode)
            capturing = true
            captureDepth = elementDepth
            bufferCount = 0
        }
    }

    func endElement(localName: String, namespace: String) {
        depth -= 1
        let elementDepth = depth
        defer {
            // By index: `bases.last` would copy the tuple (and retain its string) on every end tag.
            let count = context.bases.count
            if count > 0, context.bases[count - 1].depth == elementDepth { context.bases.removeLast() }
        }
        if capturing {
            if elementDepth > captureDepth {
                if skipUntilDepth == elementDepth {
                    skipUntilDepth = nil
                } else if skipUntilDepth == nil, HTMLText.kind(of: localName) == .block {
                    appendSpaceToBuffer()
                }
                return
            }
            guard let current = capture else { return }
            capture = nil
            capturing = false
            skipUntilDepth = nil
            let text = CapturedText(bytes: UnsafeBufferPointer(start: buffer, count: bufferCount), mode: current.mode)
            formatReader?.didEnd(current.element, text: text, context)
        } else {
            formatReader?.didEnd(
                XMLElementName(local: localName, namespace: namespace, depth: elementDepth), text: nil,
                context)
        }
        drain()
    }

    func characters(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard capturing, skipUntilDepth == nil else { return }
        if bufferCount + bytes.count > Self.fieldCap || documentTotal + bytes.count > Self.documentCap {
            if !truncationWarned {
                context.warn(
                    documentTotal + bytes.count > Self.documentCap
                        ? "the document holds more than \(Self.documentCap >> 20) MiB of text: the rest is ignored"
                        : "a field longer than \(Self.fieldCap >> 20) MiB was cut")
                truncationWarned = true
            }
            return
        }
        documentTotal += bytes.count
        appendToBuffer(bytes)
    }

    private func finish(_ parser: XMLStreamParser) throws(FeedParseError) -> FeedHeader {
        if parser.sawEntityLoop {
            throw FeedParseError(
                description: "rejected: the document's entity declarations refer to each other "
                    + "in a loop or expand without bound (an entity-expansion attack)")
        }
        if let rootError { throw rootError }
        guard let formatReader else {
            let detail = parser.problems.first.map { " (line \($0.line): \($0.message))" } ?? ""
            throw FeedParseError(description: "not a feed: the document has no root element\(detail)")
        }
        drain()
        if depth > 0 || capture != nil {
            context.warn(
                "the document ends before its last element is closed (truncated?): the items read up to "
                    + "that point are kept")
        }
        if let first = parser.problems.first {
            let counted = parser.problemCount > 1 ? " (\(parser.problemCount) problems in all)" : ""
            context.warn("malformed XML, read as far as possible: line \(first.line): \(first.message)\(counted)")
        }
        let header = formatReader.header(context)
        return FeedHeader(
            format: formatReader.format, title: header.title, link: header.link, ttlMinutes: header.ttl,
            warnings: context.allWarnings, itemCount: itemCount)
    }
    private static func formatReaderFor(root: XMLElementName, _ context: XMLFeedContext) throws(FeedParseError)
        -> XMLFormatReader
    {
        switch (root.local, root.namespace) {
        case ("rss", _):
            return RSSReader(version: context.attribute("version") ?? "")
        case ("RDF", Namespace.rdf):
            return RDFReader()
        case ("feed", Namespace.atom10):
            return AtomReader(version03: false)
        case ("feed", Namespace.atom03):
            return AtomReader(version03: true)
        case ("feed", ""):
            return AtomReader(version03: context.attribute("version") == "0.3")
        default:
            if root.local.lowercased() == "html" {
                throw FeedParseError(
                    description: "not a feed: the document is an HTML page; the URL may be a web page "
                        + "rather than its feed (look for <link rel=\"alternate\" type=\"application/rss+xml\"> in it)")
            }
            throw FeedParseError(
                description: "not a feed: the root element is <\(root.local)>, not <rss>, <rdf:RDF> "
                    + "or <feed>")
        }
    }
}
