// The file that calls libxml2's XML parser (HTMLReader.swift holds its HTML parser, for web pages).
// libxml2's SAX2 push parser streams the document to a Swift handler: no tree is built, and recover
// mode really goes on after an error (xmlTextReader gives up at the first one). Everything above
// these two files sees Swift strings and byte buffers.
import CLibXML2
import Foundation

/// One error or warning libxml2 reported while reading.
struct XMLProblem {
    var code: Int32
    var line: Int
    var message: String
    var isFatal: Bool
}

/// The attributes of the element being started; valid only during `startElement`.
struct XMLAttributes {
    fileprivate let pointer: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
    fileprivate let count: Int

    /// No attributes (outside a start-element event).
    static var none: XMLAttributes { XMLAttributes(pointer: nil, count: 0) }

    /// The value of the attribute with this local name and namespace URI ("" for none).
    func value(_ localName: String, namespace: String = "") -> String? {
        guard let pointer else { return nil }
        for index in 0..<count {
            let base = pointer + index * 5  // localname, prefix, URI, value, end
            guard let local = base[0], let start = base[3], let end = base[4] else { continue }
            guard XMLStreamParser.equals(local, localName) else { continue }
            if let uri = base[2] {
                guard XMLStreamParser.equals(uri, namespace) else { continue }
            } else if !namespace.isEmpty {
                continue
            }
            let bytes = UnsafeBufferPointer(start: start, count: end - start)
            // Without entity substitution libxml2 hands "&" back as "&#38;" for a later pass.
            guard memchr(start, 0x26, bytes.count) != nil else { return String(decoding: bytes, as: UTF8.self) }
            return String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "&#38;", with: "&")
        }
        return nil
    }
}

/// Receives the document's events in order.
protocol XMLEventHandler: AnyObject {
    func startElement(localName: String, namespace: String, attributes: XMLAttributes)
    func endElement(localName: String, namespace: String)
    /// Text (character data, CDATA, white space), already decoded, as UTF-8 bytes valid for the call.
    func characters(_ bytes: UnsafeBufferPointer<UInt8>)
}

/// Streams an in-memory UTF-8 document through libxml2's SAX2 push parser.
///
/// Hardened: recover mode, no network, no DTD loading or validation, no entity substitution, no
/// XInclude, no "huge" limits lifted. The handler declares no entity (the SAX callbacks that would
/// record declarations or load subsets are absent, and entity lookup always answers "unknown"), so
/// no entity is expanded; a process-wide loader refuses every external resource as well; errors are
/// collected here and never printed.
final class XMLStreamParser {
    /// The first problems reported (at most `maxProblemsKept`), and how many there were in all.
    @exclusivity(unchecked) private(set) var problems: [XMLProblem] = []
    @exclusivity(unchecked) private(set) var problemCount = 0
    /// libxml2 detected entity recursion or amplification: the document must be rejected.
    @exclusivity(unchecked) private(set) var sawEntityLoop = false
    // Strong: the handler does not own the parser, and a weak load per event costs 5% of a parse.
    private let handler: XMLEventHandler
    @exclusivity(unchecked) private var nameCache: [UnsafeRawPointer: String] = [:]
    private static let slotCount = 64
    @exclusivity(unchecked) private var recentKeys = [UnsafeRawPointer?](repeating: nil, count: slotCount)
    @exclusivity(unchecked) private var recentNames = [String](repeating: "", count: slotCount)
    @exclusivity(unchecked) private var context: xmlParserCtxtPtr?
    private static let maxProblemsKept = 20
    private static let chunkSize = 256 * 1024

    private static let hardenProcess: Void = clibxml2_harden_process()

    private static let options = Int32(
        XML_PARSE_RECOVER.rawValue | XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue
            | XML_PARSE_NOWARNING.rawValue | XML_PARSE_NOCDATA.rawValue
            // The bytes are always UTF-8 by now (Encoding.swift): the declaration must not switch decoders.
            | XML_PARSE_IGNORE_ENC.rawValue)

    init(handler: XMLEventHandler) {
        self.handler = handler
    }

    /// Parses `bytes` (UTF-8) to the end, or until an entity loop is detected.
    func parse(utf8 bytes: UnsafeRawBufferPointer) {
        Self.hardenProcess
        clibxml2_silence_thread()
        var sax = xmlSAXHandler()
        sax.initialized = UInt32(XML_SAX2_MAGIC)
        // The parser outlives the parse, so each event borrows it (and its handler) without a retain.
        sax.startElementNs = { context, localName, _, uri, _, _, attributeCount, _, attributes in
            guard let context else { return }
            Unmanaged<XMLStreamParser>.fromOpaque(context)._withUnsafeGuaranteedRef { parser in
                parser.handler.startElement(
                    localName: parser.interned(localName), namespace: parser.interned(uri),
                    attributes: XMLAttributes(pointer: attributes, count: Int(attributeCount)))
            }
        }
        sax.endElementNs = { context, localName, _, uri in
            guard let context else { return }
            Unmanaged<XMLStreamParser>.fromOpaque(context)._withUnsafeGuaranteedRef { parser in
                parser.handler.endElement(localName: parser.interned(localName), namespace: parser.interned(uri))
            }
        }
        let characters: charactersSAXFunc = { context, bytes, length in
            guard let context, let bytes, length > 0 else { return }
            Unmanaged<XMLStreamParser>.fromOpaque(context)._withUnsafeGuaranteedRef { parser in
                parser.handler.characters(UnsafeBufferPointer(start: bytes, count: Int(length)))
            }
        }
        sax.characters = characters
        sax.ignorableWhitespace = characters
        sax.cdataBlock = characters
        sax.getEntity = { _, _ in nil }
        sax.getParameterEntity = { _, _ in nil }
        sax.serror = { context, error in
            guard let context, let error else { return }
            Unmanaged<XMLStreamParser>.fromOpaque(context).takeUnretainedValue().record(error.pointee)
        }
        let me = Unmanaged.passUnretained(self).toOpaque()
        guard let context = xmlCreatePushParserCtxt(&sax, me, nil, 0, nil) else { return }
        self.context = context
        defer {
            self.context = nil
            // In SAX mode libxml2 still builds a document of its own to hold entity declarations
            // ("SAX compatibility mode", e.g. an internal subset that never closes): the parser
            // context does not free it, the caller must, or every such document leaks ~26 KB.
            if let document = context.pointee.myDoc {
                context.pointee.myDoc = nil
                xmlFreeDoc(document)
            }
            xmlFreeParserCtxt(context)
        }
        xmlCtxtUseOptions(context, Self.options)
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self) else {
            xmlParseChunk(context, nil, 0, 1)
            return
        }
        var offset = 0
        while offset < bytes.count, !sawEntityLoop {
            let length = min(Self.chunkSize, bytes.count - offset)
            xmlParseChunk(context, base + offset, Int32(length), 0)
            offset += length
        }
        if !sawEntityLoop { xmlParseChunk(context, nil, 0, 1) }
    }

    private func record(_ error: xmlError) {
        problemCount += 1
        if error.code == Int32(XML_ERR_ENTITY_LOOP.rawValue) {
            sawEntityLoop = true
            if let context { xmlStopParser(context) }
        }
        guard problems.count < Self.maxProblemsKept else { return }
        var message = error.message.map { String(cString: $0) } ?? "error \(error.code)"
        while message.last?.isWhitespace == true { message.removeLast() }
        problems.append(
            XMLProblem(
                code: error.code, line: Int(error.line), message: message,
                isFatal: error.level == XML_ERR_FATAL))
    }

    /// Names and namespace URIs are interned in libxml2's dictionary: one String per distinct pointer.
    private func interned(_ pointer: UnsafePointer<xmlChar>?) -> String {
        guard let pointer else { return "" }
        // Direct-mapped by pointer bits first: a feed uses a few dozen names, and hashing a pointer
        // through Hasher on every event costs more than the rest of the lookup.
        let key = UnsafeRawPointer(pointer)
        let bits = UInt(bitPattern: key)
        let slot = Int(truncatingIfNeeded: (bits >> 3 ^ bits >> 11) & UInt(Self.slotCount - 1))
        if recentKeys[slot] == key { return recentNames[slot] }
        let name: String
        if let known = nameCache[key] {
            name = known
        } else {
            name = String(cString: pointer)
            nameCache[key] = name
        }
        recentKeys[slot] = key
        recentNames[slot] = name
        return name
    }

    /// Byte comparison of a NUL-terminated name with a String, without copying either.
    fileprivate static func equals(_ pointer: UnsafePointer<xmlChar>, _ string: String) -> Bool {
        let compared = string.utf8.withContiguousStorageIfAvailable { utf8 -> Bool in
            // A NUL in the String must not walk past the name's terminator.
            for index in 0..<utf8.count where pointer[index] != utf8[index] || utf8[index] == 0 { return false }
            return pointer[utf8.count] == 0
        }
        if let compared { return compared }
        var index = 0
        for byte in string.utf8 {
            guard pointer[index] == byte else { return false }
            index += 1
        }
        return pointer[index] == 0
    }

    /// Resolves a URI reference against a base URI (RFC 3986), or nil when either is unusable.
    static func resolve(_ reference: String, against base: String) -> String? {
        guard let value = xmlBuildURI(reference, base) else { return nil }
        defer { clibxml2_free(value) }
        return String(cString: value)
    }
}
