/// A minimal JSON writer that keeps keys in the order written.
///
/// The `json` payload's shape is a contract (SPEC §5): keys in the documented order, `/` not escaped in
/// URLs, one line. JSONEncoder guarantees neither order nor unescaped slashes, so payloads are written here.
public struct JSONWriter {
    public private(set) var text = ""

    /// A JSON value under construction.
    public indirect enum Value: Sendable {
        case string(String)
        case null
        case array([Value])
        case object([(String, Value)])
        case bool(Bool)
        case number(Int)
    }

    /// `value` as one line of JSON.
    public static func render(_ value: Value) -> String {
        var writer = JSONWriter()
        writer.write(value)
        return writer.text
    }

    private mutating func write(_ value: Value) {
        switch value {
        case .string(let string): writeString(string)
        case .null: text += "null"
        case .bool(let flag): text += flag ? "true" : "false"
        case .number(let number): text += String(number)
        case .array(let values):
            text += "["
            for (index, element) in values.enumerated() {
                if index > 0 { text += "," }
                write(element)
            }
            text += "]"
        case .object(let members):
            text += "{"
            for (index, (key, element)) in members.enumerated() {
                if index > 0 { text += "," }
                writeString(key)
                text += ":"
                write(element)
            }
            text += "}"
        }
    }

    private mutating func writeString(_ string: String) {
        text += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            // U+2028/2029 are valid JSON but end a line in JavaScript; escaping them keeps receivers that
            // eval or split on line terminators safe.
            case _ where scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029:
                text += "\\u" + hex4(scalar.value)
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }

    private func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
