/// A strict JSON reader (RFC 8259) that walks UTF-8 bytes in place, for request bodies on hot
/// paths. `JSONDecoder`'s generic `Codable` machinery cost more than the work it fed: decoding
/// a 200-byte inference header was ~15% of the server's CPU at 20k requests/s, and 50,000
/// numbers of a JSON tensor took longer than the model.
///
/// Callers walk the document with `readObject` / `readArray` and typed reads; `readValue`
/// parses any value into a `JSONValue`. Nesting deeper than `maxDepth` is refused, so a body of
/// a million `[` cannot exhaust the stack.
public struct JSONReader {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// Not JSON at this byte offset.
        case syntax(offset: Int)
        /// Well-formed, but not the kind of value the caller asked for ("array", "string", …).
        case typeMismatch(expected: String, offset: Int)
        /// Nested deeper than `maxDepth`.
        case tooDeep(offset: Int)
        /// A number too large for a Double.
        case numberOutOfRange(offset: Int)

        public var description: String {
            switch self {
            case .syntax(let offset): "not valid JSON at byte \(offset)"
            case .typeMismatch(let expected, let offset): "expected \(expected) at byte \(offset)"
            case .tooDeep(let offset): "nested deeper than \(JSONReader.maxDepth) levels at byte \(offset)"
            case .numberOutOfRange(let offset): "number out of range at byte \(offset)"
            }
        }
    }

    public static let maxDepth = 512

    private let bytes: UnsafeBufferPointer<UInt8>
    public private(set) var offset = 0
    private var depth = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// Runs `body` over the document in `bytes`, then checks that only whitespace follows it.
    public static func parse<T>(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (inout JSONReader) throws -> T) throws -> T {
        var reader = JSONReader(bytes)
        let value = try body(&reader)
        reader.skipWhitespace()
        guard reader.offset == bytes.count else { throw Failure.syntax(offset: reader.offset) }
        return value
    }

    /// Parses a whole document into a `JSONValue`.
    public static func value(_ bytes: [UInt8]) throws -> JSONValue {
        try bytes.withUnsafeBufferPointer { buffer in try parse(buffer) { try $0.readValue() } }
    }

    // MARK: - Structure

    /// Reads an object, calling `member` with each key; `member` must read the key's value.
    public mutating func readObject(_ member: (inout JSONReader, String) throws -> Void) throws {
        guard try open(UInt8(ascii: "{"), closing: UInt8(ascii: "}"), kind: "object") else { return }
        while true {
            skipWhitespace()
            guard peekByte == UInt8(ascii: "\"") else { throw Failure.syntax(offset: offset) }
            let key = try readString()
            skipWhitespace()
            try consume(UInt8(ascii: ":"))
            try member(&self, key)
            skipWhitespace()
            if try closes(UInt8(ascii: "}")) { return }
        }
    }

    /// Reads an array, calling `element` once per element; `element` must read it.
    public mutating func readArray(_ element: (inout JSONReader) throws -> Void) throws {
        guard try open(UInt8(ascii: "["), closing: UInt8(ascii: "]"), kind: "array") else { return }
        while true {
            try element(&self)
            skipWhitespace()
            if try closes(UInt8(ascii: "]")) { return }
        }
    }

    /// The kind of the next value, without consuming it: `{`, `[`, `"`, `t`, `f`, `n`, or a digit / `-`.
    public mutating func peekValueStart() -> UInt8? {
        skipWhitespace()
        return peekByte
    }

    /// True (and consumed) when the next value is `null`: optional fields accept null as absent.
    public mutating func readNullIfPresent() throws -> Bool {
        skipWhitespace()
        guard peekByte == UInt8(ascii: "n") else { return false }
        try literal("null")
        return true
    }

    // MARK: - Scalars

    public mutating func readBool() throws -> Bool {
        skipWhitespace()
        switch peekByte {
        case UInt8(ascii: "t"): try literal("true"); return true
        case UInt8(ascii: "f"): try literal("false"); return false
        default: throw mismatchOrSyntax(expected: "a boolean")
        }
    }

    public mutating func readString() throws -> String {
        skipWhitespace()
        guard peekByte == UInt8(ascii: "\"") else { throw mismatchOrSyntax(expected: "a string") }
        offset += 1
        let start = offset
        // Fast path: no escapes, so the bytes between the quotes are the string.
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                let raw = UnsafeBufferPointer(rebasing: bytes[start..<offset])
                guard let text = String(validating: raw, as: UTF8.self) else { throw Failure.syntax(offset: start) }
                offset += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            guard byte >= 0x20 else { throw Failure.syntax(offset: offset) }
            offset += 1
        }
        var decoded = Array(bytes[start..<offset])
        while offset < bytes.count {
            let byte = bytes[offset]
            offset += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: decoded, as: UTF8.self) else { throw Failure.syntax(offset: start) }
                return text
            case UInt8(ascii: "\\"):
                try readEscape(into: &decoded)
            case 0..<0x20:
                throw Failure.syntax(offset: offset - 1)
            default:
                decoded.append(byte)
            }
        }
        throw Failure.syntax(offset: offset)
    }

    public mutating func readNumber() throws -> Double {
        skipWhitespace()
        let start = offset
        guard let first = peekByte, first == UInt8(ascii: "-") || isDigit(first) else {
            throw mismatchOrSyntax(expected: "a number")
        }
        var negative = false
        if first == UInt8(ascii: "-") {
            negative = true
            offset += 1
        }
        // Significant digits go into `mantissa` while they fit; `exponent` is the power of ten.
        var mantissa: UInt64 = 0
        var significantDigits = 0
        var exponent = 0
        func digit(_ byte: UInt8, afterPoint: Bool) {
            let value = UInt64(byte &- UInt8(ascii: "0"))
            if mantissa == 0 && value == 0 {
                if afterPoint { exponent -= 1 }
                return
            }
            if significantDigits < 19 {
                mantissa = mantissa &* 10 &+ value
                if afterPoint { exponent -= 1 }
            } else if !afterPoint {
                exponent += 1
            }
            significantDigits += 1
        }
        guard let lead = peekByte, isDigit(lead) else { throw Failure.syntax(offset: offset) }
        if lead == UInt8(ascii: "0") {
            offset += 1
        } else {
            while let byte = peekByte, isDigit(byte) {
                digit(byte, afterPoint: false)
                offset += 1
            }
        }
        if peekByte == UInt8(ascii: ".") {
            offset += 1
            guard let byte = peekByte, isDigit(byte) else { throw Failure.syntax(offset: offset) }
            while let byte = peekByte, isDigit(byte) {
                digit(byte, afterPoint: true)
                offset += 1
            }
        }
        var exact = significantDigits <= 19
        if peekByte == UInt8(ascii: "e") || peekByte == UInt8(ascii: "E") {
            offset += 1
            var sign = 1
            if peekByte == UInt8(ascii: "+") || peekByte == UInt8(ascii: "-") {
                if peekByte == UInt8(ascii: "-") { sign = -1 }
                offset += 1
            }
            guard let byte = peekByte, isDigit(byte) else { throw Failure.syntax(offset: offset) }
            var written = 0
            while let byte = peekByte, isDigit(byte) {
                if written < 100_000 { written = written * 10 + Int(byte - UInt8(ascii: "0")) } else { exact = false }
                offset += 1
            }
            exponent += sign * written
        }
        if peekByte.map(isNumberContinuation) == true { throw Failure.syntax(offset: offset) }
        // Clinger's fast path: both factors exact in a Double, so one rounding gives the right answer.
        if exact, ExactDecimal.isExact(mantissa: mantissa, scale: exponent) {
            return ExactDecimal(mantissa: mantissa, scale: exponent, negative: negative).value
        }
        if mantissa == 0 { return negative ? -0.0 : 0 }
        let value = try correctlyRounded(start..<offset)
        guard value.isFinite else { throw Failure.numberOutOfRange(offset: start) }
        return value
    }

    /// An integral number that fits an `Int` (a shape, a size).
    public mutating func readInt() throws -> Int {
        let start = offset
        let number = try readNumber()
        guard number.rounded() == number, let value = Int(exactly: number) else {
            throw Failure.typeMismatch(expected: "an integer", offset: start)
        }
        return value
    }

    /// Any value.
    public mutating func readValue() throws -> JSONValue {
        switch peekValueStart() {
        case UInt8(ascii: "{"):
            var members: [String: JSONValue] = [:]
            try readObject { reader, key in members[key] = try reader.readValue() }
            return .object(members)
        case UInt8(ascii: "["):
            var items: [JSONValue] = []
            try readArray { reader in items.append(try reader.readValue()) }
            return .array(items)
        case UInt8(ascii: "\""): return .string(try readString())
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool(try readBool())
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        default: return .number(try readNumber())
        }
    }

    // MARK: - Internals

    /// The slow path for numbers the fast path cannot do exactly: the standard library's
    /// parser, which rounds correctly and ignores the process locale.
    private func correctlyRounded(_ range: Range<Int>) throws -> Double {
        guard let value = Double(String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)) else {
            throw Failure.syntax(offset: range.lowerBound)
        }
        return value
    }

    private var peekByte: UInt8? {
        offset < bytes.count ? bytes[offset] : nil
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    /// A byte that cannot follow a complete number ("01", "1.2.3", "1e5x").
    private func isNumberContinuation(_ byte: UInt8) -> Bool {
        isDigit(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
    }

    private mutating func skipWhitespace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x0A, 0x0D, 0x09: offset += 1
            default: return
            }
        }
    }

    /// Enters a container; false when it is empty (and already closed again).
    private mutating func open(_ byte: UInt8, closing: UInt8, kind: String) throws -> Bool {
        skipWhitespace()
        guard peekByte == byte else { throw mismatchOrSyntax(expected: "an \(kind)") }
        guard depth < Self.maxDepth else { throw Failure.tooDeep(offset: offset) }
        offset += 1
        skipWhitespace()
        if peekByte == closing {
            offset += 1
            return false
        }
        depth += 1
        return true
    }

    /// After an element: `,` continues (false), `closing` ends the container (true).
    private mutating func closes(_ closing: UInt8) throws -> Bool {
        switch peekByte {
        case UInt8(ascii: ","):
            offset += 1
            return false
        case closing:
            offset += 1
            depth -= 1
            return true
        default:
            throw Failure.syntax(offset: offset)
        }
    }

    private mutating func consume(_ byte: UInt8) throws {
        guard peekByte == byte else { throw Failure.syntax(offset: offset) }
        offset += 1
    }

    private mutating func literal(_ word: StaticString) throws {
        let count = word.utf8CodeUnitCount
        guard offset + count <= bytes.count,
              UnsafeBufferPointer(start: word.utf8Start, count: count).elementsEqual(bytes[offset..<(offset + count)])
        else { throw Failure.syntax(offset: offset) }
        offset += count
    }

    /// A value of another kind is a type mismatch; a byte that starts no value is a syntax error.
    private func mismatchOrSyntax(expected: String) -> Failure {
        guard let byte = peekByte else { return .syntax(offset: offset) }
        switch byte {
        case UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "\""), UInt8(ascii: "t"), UInt8(ascii: "f"),
             UInt8(ascii: "n"), UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .typeMismatch(expected: expected, offset: offset)
        default:
            return .syntax(offset: offset)
        }
    }

    private mutating func readEscape(into decoded: inout [UInt8]) throws {
        guard let byte = peekByte else { throw Failure.syntax(offset: offset) }
        offset += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(byte)
        case UInt8(ascii: "b"): decoded.append(0x08)
        case UInt8(ascii: "f"): decoded.append(0x0C)
        case UInt8(ascii: "n"): decoded.append(0x0A)
        case UInt8(ascii: "r"): decoded.append(0x0D)
        case UInt8(ascii: "t"): decoded.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try readHex4()
            if (0xD800..<0xDC00).contains(scalar) {
                // A high surrogate must be followed by an escaped low one.
                guard offset + 1 < bytes.count, bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u") else {
                    throw Failure.syntax(offset: offset)
                }
                offset += 2
                let low = try readHex4()
                guard (0xDC00..<0xE000).contains(low) else { throw Failure.syntax(offset: offset - 4) }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw Failure.syntax(offset: offset - 4) }
            decoded.append(contentsOf: String(Character(unicode)).utf8)
        default:
            throw Failure.syntax(offset: offset - 1)
        }
    }

    private mutating func readHex4() throws -> UInt32 {
        guard offset + 4 <= bytes.count else { throw Failure.syntax(offset: offset) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[offset]
            let nibble: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = byte - UInt8(ascii: "A") + 10
            default: throw Failure.syntax(offset: offset)
            }
            value = value << 4 | UInt32(nibble)
            offset += 1
        }
        return value
    }
}
