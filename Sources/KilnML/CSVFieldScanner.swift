/// Walks CSV bytes (RFC 4180: `,` separators, `"` quotes with `""` escapes, LF or CRLF line
/// ends) one field at a time without making strings: a field is a byte range, so a numeric
/// table can be checked and converted without allocating per value. `CSVTable` and the
/// CTR app's table scan both read through it, so they agree on what a field is.
public struct CSVFieldScanner {
    public struct Field {
        /// The field's text: surrounding spaces, tabs and a trailing CR removed when unquoted;
        /// the inside of the quotes when quoted.
        public var start: Int
        public var end: Int
        /// Quoted and containing `""`, so the bytes are not yet the text.
        public var escaped: Bool
        /// The last field of its line.
        public var endsRecord: Bool

        public var isEmpty: Bool { start == end }

        public init(start: Int, end: Int, escaped: Bool, endsRecord: Bool) {
            (self.start, self.end, self.escaped, self.endsRecord) = (start, end, escaped, endsRecord)
        }
    }

    public struct UnterminatedQuote: Error {}

    public enum RecordError: Error {
        case unterminatedQuote
        case notUTF8
    }

    public static let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), newline = UInt8(ascii: "\n")
    public static let carriage = UInt8(ascii: "\r"), space = UInt8(ascii: " "), tab = UInt8(ascii: "\t")

    public let bytes: UnsafeBufferPointer<UInt8>
    public private(set) var index: Int
    public let end: Int
    /// A comma ended the input: one more (empty) field is still owed.
    private var owesEmptyField = false

    /// Scans `bytes[start..<end]`; `start` must be the beginning of a line.
    public init(bytes: UnsafeBufferPointer<UInt8>, start: Int = 0, end: Int? = nil) {
        self.bytes = bytes
        self.end = end ?? bytes.count
        var start = start
        // A UTF-8 byte-order mark (Excel writes one) is not part of the first header name.
        if start == 0, self.end >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { start = 3 }
        self.index = start
    }

    /// Moves on to `position`, a field start that a caller found by other means (a
    /// `CSVPlainBlock`), between the current index and the end of the range.
    public mutating func skip(to position: Int) {
        precondition(position >= index && position <= end && !owesEmptyField)
        // A block that ends with the input's last byte, a comma, leaves the empty field after
        // that comma owed, as `next()` would (found by fuzz-csv: the row was not counted).
        if position > index, position == end, bytes[position - 1] == Self.comma { owesEmptyField = true }
        index = position
    }

    /// The next field, or nil at the end of the range.
    @inline(__always)
    public mutating func next() throws(UnterminatedQuote) -> Field? {
        if owesEmptyField {
            owesEmptyField = false
            return Field(start: end, end: end, escaped: false, endsRecord: true)
        }
        guard index < end else { return nil }
        var field: Field
        if bytes[index] == Self.quote {
            index += 1
            let start = index
            var escaped = false
            while true {
                guard index < end else { throw UnterminatedQuote() }
                if bytes[index] == Self.quote {
                    if index + 1 < end, bytes[index + 1] == Self.quote {
                        escaped = true
                        index += 2
                        continue
                    }
                    break
                }
                index += 1
            }
            field = Field(start: start, end: index, escaped: escaped, endsRecord: false)
            index += 1
            // Text after the closing quote is ignored, as Python's csv does.
            while index < end, bytes[index] != Self.comma, bytes[index] != Self.newline { index += 1 }
        } else {
            var start = index
            while index < end, bytes[index] != Self.comma, bytes[index] != Self.newline { index += 1 }
            var stop = index
            while start < stop, bytes[start] == Self.space || bytes[start] == Self.tab { start += 1 }
            while stop > start, bytes[stop - 1] == Self.space || bytes[stop - 1] == Self.tab || bytes[stop - 1] == Self.carriage { stop -= 1 }
            field = Field(start: start, end: stop, escaped: false, endsRecord: false)
        }
        if index < end, bytes[index] == Self.comma {
            index += 1
            if index == end { owesEmptyField = true }
        } else {
            index += 1
            field.endsRecord = true
        }
        return field
    }

    /// The next field when it is a plain unquoted number (`12`, `-0.5`, `1e-3`) directly
    /// followed by a separator, read in the same pass that finds its end; nil — and nothing
    /// consumed — for any other field, which `next()` then reads.
    @inline(__always)
    public mutating func nextNumber() -> (number: FastNumber.Decimal, field: Field)? {
        let start = index
        guard !owesEmptyField, let (number, stop) = FastNumber.prefix(bytes, from: start, to: end),
              let field = endField(start: start, stop: stop) else { return nil }
        return (number, field)
    }

    /// The next field when it is a plain decimal of at most 15 digits without an exponent
    /// (`12`, `-0.5`, `.25`) directly followed by a separator; nil — and nothing consumed —
    /// otherwise. Such a field is always a finite number, the same fields `nextNumber` reads:
    /// a check that needs no value reads only their shape (no multiply per digit).
    @inline(__always)
    public mutating func nextPlainDecimal() -> Field? {
        guard !owesEmptyField else { return nil }
        let start = index
        var position = start
        if position < end, bytes[position] == UInt8(ascii: "-") || bytes[position] == UInt8(ascii: "+") { position &+= 1 }
        let integerStart = position
        while position < end, bytes[position] &- 48 < 10 { position &+= 1 }
        var digits = position &- integerStart
        if position < end, bytes[position] == UInt8(ascii: ".") {
            position &+= 1
            let fractionStart = position
            while position < end, bytes[position] &- 48 < 10 { position &+= 1 }
            digits &+= position &- fractionStart
        }
        guard digits > 0, digits <= 15 else { return nil }
        return endField(start: start, stop: position)
    }

    /// The field `start..<stop` when a separator (or a line end, or the end) follows it, the
    /// scanner moved past it; nil, nothing moved, when something else follows.
    @inline(__always)
    private mutating func endField(start: Int, stop: Int) -> Field? {
        var field = Field(start: start, end: stop, escaped: false, endsRecord: true)
        var position = stop
        if position < end, bytes[position] == Self.carriage { position += 1 }
        if position == end {
            index = end
            return field
        }
        switch bytes[position] {
        case Self.comma:
            index = position + 1
            if index == end { owesEmptyField = true }
            field.endsRecord = false
            return field
        case Self.newline:
            index = position + 1
            return field
        default:
            return nil
        }
    }

    /// The next line's fields as text, blank lines skipped (as every CSV reader does); nil at
    /// the end of the range.
    public mutating func nextRecord() throws(RecordError) -> [String]? {
        var record: [String] = []
        while true {
            let field: Field?
            do { field = try next() } catch { throw .unterminatedQuote }
            guard let field else { return record.isEmpty ? nil : record }
            guard let text = text(field) else { throw .notUTF8 }
            record.append(text)
            guard field.endsRecord else { continue }
            if record.count == 1, record[0].isEmpty {
                record = []
                continue
            }
            return record
        }
    }

    /// The bytes of a field as they appear (for numbers; escaped fields are never numbers).
    @inline(__always)
    public func raw(_ field: Field) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: bytes[field.start..<field.end])
    }

    /// The field's text; nil when it is not UTF-8.
    public func text(_ field: Field) -> String? {
        guard field.escaped else { return Self.utf8(raw(field)) }
        var unescaped: [UInt8] = []
        unescaped.reserveCapacity(field.end - field.start)
        var position = field.start
        while position < field.end {
            unescaped.append(bytes[position])
            // `""` inside quotes stands for one quote.
            position += bytes[position] == Self.quote ? 2 : 1
        }
        return unescaped.withUnsafeBufferPointer(Self.utf8)
    }

    /// ASCII (nearly every field of a numeric table) takes the cheap, specialised path; other
    /// text is validated (the generic validating initialiser costs a metadata lookup per call).
    @inline(__always)
    public static func utf8(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        for byte in bytes where byte >= 0x80 {
            return String(validating: bytes, as: UTF8.self)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whether the range holds a `"` anywhere (then a line end may sit inside a field).
    public static func containsQuote(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Bool {
        guard start < bytes.count, let base = bytes.baseAddress else { return false }
        return memchr(base + start, Int32(quote), bytes.count - start) != nil
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
