// The one file that calls libxml2's HTML parser (XMLReader.swift holds its XML parser). The SAX
// push parser streams a web page's elements to a Swift handler: no tree is built, so memory stays
// bounded by the page, and the time spent on a hostile page is bounded by the limits below.
import CLibXML2
import Foundation

/// The attributes of the element being started; valid only during `HTMLEventHandler.startElement`.
struct HTMLAttributes {
    /// libxml2's name/value pairs, NULL-terminated (a value is NULL for an attribute without one).
    fileprivate let pointer: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?

    /// The value of the first attribute called `name` (lower case: the HTML parser lowers names),
    /// "" for an attribute without a value, nil when absent.
    func value(_ name: String) -> String? {
        guard let pointer else { return nil }
        var index = 0
        while let attribute = pointer[index] {
            if String(cString: attribute) == name {
                return pointer[index + 1].map { String(cString: $0) } ?? ""
            }
            index += 2
        }
        return nil
    }
}

/// Receives a page's elements in document order (names in lower case).
protocol HTMLEventHandler: AnyObject {
    func startElement(name: String, attributes: HTMLAttributes)
}

/// Streams an in-memory UTF-8 web page through libxml2's HTML SAX push parser.
///
/// Recover mode, no network, errors and warnings never printed, the page's own charset declaration
/// ignored (the bytes are UTF-8 by now). libxml2's HTML parser has no depth limit, and closing a tag
/// searches every element still open, so a page of 500,000 unclosed tags followed by 500,000 stray
/// end tags would take hours: the parse stops when elements are nested deeper than `maxDepth` (as
/// libxml2 refuses XML deeper than 256 levels), or when `timeLimit` has passed.
final class HTMLStreamParser {
    /// Why the parse stopped before the end of the page, if it did.
    enum Stop: Equatable {
        case tooDeep(Int)
        case tooSlow(TimeInterval)
    }

    private let handler: HTMLEventHandler
    private let maxDepth: Int
    private let timeLimit: TimeInterval
    private var depth = 0
    private var context: htmlParserCtxtPtr?
    private(set) var stop: Stop?
    private static let chunkSize = 64 * 1024
    private static let hardenProcess: Void = clibxml2_harden_process()

    private static let options = Int32(
        HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NONET.rawValue | HTML_PARSE_NOERROR.rawValue
            | HTML_PARSE_NOWARNING.rawValue | HTML_PARSE_NODEFDTD.rawValue | HTML_PARSE_IGNORE_ENC.rawValue)

    init(handler: HTMLEventHandler, maxDepth: Int = 256, timeLimit: TimeInterval = 5) {
        self.handler = handler
        self.maxDepth = maxDepth
        self.timeLimit = timeLimit
    }

    /// Parses `bytes` (UTF-8) to the end, or until a limit stops it (`stop` then says which).
    func parse(utf8 bytes: UnsafeRawBufferPointer) {
        Self.hardenProcess
        clibxml2_silence_thread()
        var sax = htmlSAXHandler()
        sax.initialized = UInt32(XML_SAX2_MAGIC)
        sax.startElement = { context, name, attributes in
            guard let context, let name else { return }
            Unmanaged<HTMLStreamParser>.fromOpaque(context).takeUnretainedValue()
                .started(String(cString: name), attributes: HTMLAttributes(pointer: attributes))
        }
        sax.endElement = { context, _ in
            guard let context else { return }
            Unmanaged<HTMLStreamParser>.fromOpaque(context).takeUnretainedValue().depth -= 1
        }
        sax.serror = { _, _ in }
        let me = Unmanaged.passUnretained(self).toOpaque()
        guard let context = htmlCreatePushParserCtxt(&sax, me, nil, 0, nil, XML_CHAR_ENCODING_UTF8) else { return }
        self.context = context
        defer {
            self.context = nil
            if let document = context.pointee.myDoc {
                context.pointee.myDoc = nil
                xmlFreeDoc(document)
            }
            htmlFreeParserCtxt(context)
        }
        htmlCtxtUseOptions(context, Self.options)
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self) else {
            htmlParseChunk(context, nil, 0, 1)
            return
        }
        let deadline = Date().addingTimeInterval(timeLimit)
        var offset = 0
        while offset < bytes.count, stop == nil {
            let length = min(Self.chunkSize, bytes.count - offset)
            htmlParseChunk(context, base + offset, Int32(length), 0)
            offset += length
            if stop == nil && Date() > deadline { stop = .tooSlow(timeLimit) }
        }
        if stop == nil { htmlParseChunk(context, nil, 0, 1) }
    }

    private func started(_ name: String, attributes: HTMLAttributes) {
        depth += 1
        if depth > maxDepth {
            stop = .tooDeep(maxDepth)
            if let context { xmlStopParser(context) }
            return
        }
        handler.startElement(name: name, attributes: attributes)
    }
}
