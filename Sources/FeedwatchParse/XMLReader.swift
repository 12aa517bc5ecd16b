// The one file that calls libxml2. Everything above it sees Swift strings and a streaming cursor.
import CLibXML2
import Foundation

/// What the cursor stands on after `read()`.
enum XMLNodeKind {
    case startElement
    case endElement
    /// Text, CDATA or white space between elements.
    case text
    /// A reference to an entity declared by the document: never expanded.
    case entityReference
    case other
}

/// One error or warning libxml2 reported while reading.
struct XMLProblem {
    var code: Int32
    var line: Int
    var message: String
    var isFatal: Bool
}

/// A forward-only cursor over an XML document held in memory, on libxml2's `xmlTextReader`: the
/// document is never built into a tree, only the current node and its ancestors are held.
///
/// Hardened: recover mode, no network, no DTD loading or validation, no entity substitution, no
/// XInclude, no "huge" limits lifted; every external entity is refused by a process-wide loader;
/// errors are collected here and never printed.
final class XMLReader {
    private let reader: xmlTextReaderPtr
    private var nameCache: [UnsafeRawPointer: String] = [:]
    /// The first problems reported (at most `maxProblemsKept`), and how many there were in all.
    private(set) var problems: [XMLProblem] = []
    private(set) var problemCount = 0
    /// libxml2 detected entity recursion or amplification: the document must be rejected.
    private(set) var sawEntityLoop = false
    /// `read()` stopped on an unrecoverable error rather than at the end of the document.
    private(set) var stoppedOnError = false
    private static let maxProblemsKept = 20

    private static let hardenProcess: Void = clibxml2_harden_process()

    private static let options: Int32 = Int32(
        XML_PARSE_RECOVER.rawValue | XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue
            | XML_PARSE_NOWARNING.rawValue | XML_PARSE_NOCDATA.rawValue | XML_PARSE_COMPACT.rawValue
            // The bytes are always UTF-8 by now (Encoding.swift): the declaration must not switch decoders.
            | XML_PARSE_IGNORE_ENC.rawValue)

    /// Opens a reader over `bytes`, which must be UTF-8 and must stay valid until the reader is gone.
    /// `url` is the document's base URI for `xml:base` resolution; it is never opened.
    init?(utf8 bytes: UnsafeRawBufferPointer, url: String) {
        Self.hardenProcess
        clibxml2_silence_thread()
        guard let base = bytes.baseAddress, bytes.count <= Int(Int32.max),
            let reader = xmlReaderForMemory(
                base.assumingMemoryBound(to: CChar.self), Int32(bytes.count), url, "UTF-8", Self.options)
        else { return nil }
        self.reader = reader
        xmlTextReaderSetStructuredErrorHandler(reader, { context, error in
            guard let context, let error else { return }
            Unmanaged<XMLReader>.fromOpaque(context).takeUnretainedValue().record(error.pointee)
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    deinit {
        xmlFreeTextReader(reader)
    }

    private func record(_ error: xmlError) {
        problemCount += 1
        if error.code == Int32(XML_ERR_ENTITY_LOOP.rawValue) { sawEntityLoop = true }
        guard problems.count < Self.maxProblemsKept else { return }
        var message = error.message.map { String(cString: $0) } ?? "error \(error.code)"
        while message.last?.isWhitespace == true { message.removeLast() }
        problems.append(XMLProblem(code: error.code, line: Int(error.line), message: message,
                                   isFatal: error.level == XML_ERR_FATAL))
    }

    /// Moves to the next node; `nil` at the end of the document or when reading cannot go on.
    func read() -> XMLNodeKind? {
        let status = xmlTextReaderRead(reader)
        guard status == 1 else {
            if status < 0 { stoppedOnError = true }
            return nil
        }
        switch xmlTextReaderNodeType(reader) {
        case 1: return .startElement
        case 15: return .endElement
        case 3, 4, 13, 14: return .text
        case 5: return .entityReference
        default: return .other
        }
    }

    private func interned(_ pointer: UnsafePointer<xmlChar>?) -> String {
        guard let pointer else { return "" }
        let key = UnsafeRawPointer(pointer)
        if let name = nameCache[key] { return name }
        let name = String(cString: pointer)
        nameCache[key] = name
        return name
    }

    /// Local name of the current element (no prefix).
    var localName: String { interned(xmlTextReaderConstLocalName(reader)) }

    /// Namespace URI of the current element, or "" when it has none.
    var namespaceURI: String { interned(xmlTextReaderConstNamespaceUri(reader)) }

    /// Depth of the current node, the root element being 0.
    var depth: Int { Int(xmlTextReaderDepth(reader)) }

    /// The current element is written `<x/>`: no end element will follow.
    var isEmptyElement: Bool { xmlTextReaderIsEmptyElement(reader) == 1 }

    /// Appends the current text node's UTF-8 bytes to `buffer`, without making a String.
    func appendValue(to buffer: inout [UInt8]) {
        guard let value = xmlTextReaderConstValue(reader) else { return }
        let count = strlen(UnsafeRawPointer(value).assumingMemoryBound(to: CChar.self))
        buffer.append(contentsOf: UnsafeBufferPointer(start: value, count: count))
    }

    /// Byte length of the current text node.
    var valueLength: Int {
        guard let value = xmlTextReaderConstValue(reader) else { return 0 }
        return strlen(UnsafeRawPointer(value).assumingMemoryBound(to: CChar.self))
    }

    /// An attribute of the current element by qualified name (`href`, `xml:base`).
    func attribute(_ name: String) -> String? {
        guard let value = xmlTextReaderGetAttribute(reader, name) else { return nil }
        defer { clibxml2_free(value) }
        return String(cString: value)
    }

    /// An attribute of the current element by local name and namespace URI.
    func attribute(_ localName: String, namespace: String) -> String? {
        guard let value = xmlTextReaderGetAttributeNs(reader, localName, namespace) else { return nil }
        defer { clibxml2_free(value) }
        return String(cString: value)
    }

    /// The base URI in effect at the current node: the document URL as changed by `xml:base`.
    var baseURI: String? {
        guard let value = xmlTextReaderBaseUri(reader) else { return nil }
        defer { clibxml2_free(value) }
        return String(cString: value)
    }

    /// Line of the parser's position, for messages.
    var line: Int { Int(xmlTextReaderGetParserLineNumber(reader)) }

    /// Resolves a URI reference against a base URI (RFC 3986), or nil when either is unusable.
    static func resolve(_ reference: String, against base: String) -> String? {
        guard let value = xmlBuildURI(reference, base) else { return nil }
        defer { clibxml2_free(value) }
        return String(cString: value)
    }
}
