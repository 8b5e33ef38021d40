import Foundation

/// A CSV file parsed once (RFC 4180: comma-separated, `"` quotes with `""` escapes, LF or CRLF
/// line ends). Rows keep their raw width so that validation can report ragged rows.
public struct CSVTable: Sendable {
    public var header: [String]
    /// Data rows, without the header. Row `i` is line `i + 2` of a file without multi-line fields.
    public var rows: [[String]]

    public init(header: [String], rows: [[String]]) {
        self.header = header
        self.rows = rows
    }

    public enum ParseError: Error, Equatable {
        case empty
        case notUTF8
        case unterminatedQuote(row: Int)
    }

    public static func parse(_ data: Data) throws -> CSVTable {
        try data.withUnsafeBytes { raw in try parse(bytes: raw.bindMemory(to: UInt8.self)) }
    }

    /// ASCII (nearly every field of a numeric table) takes the cheap, specialised path; other
    /// text is validated (the generic validating initialiser costs a metadata lookup per call).
    @inline(__always)
    static func utf8(_ bytes: UnsafeBufferPointer<UInt8>) throws -> String {
        var ascii = true
        for byte in bytes where byte >= 0x80 {
            ascii = false
            break
        }
        if ascii { return String(decoding: bytes, as: UTF8.self) }
        guard let string = String(validating: bytes, as: UTF8.self) else { throw ParseError.notUTF8 }
        return string
    }

    /// One pass over the bytes. A field becomes a `String` straight from its UTF-8 bytes (short
    /// ASCII fields — most numbers — are stored inline, without allocating); unquoted fields
    /// lose surrounding spaces and tabs.
    static func parse(bytes: UnsafeBufferPointer<UInt8>) throws -> CSVTable {
        var records: [[String]] = []
        var record: [String] = []
        var width = 16
        var quoted: [UInt8] = []  // the unescaped text of a quoted field
        var index = 0
        let end = bytes.count
        // A UTF-8 byte-order mark (Excel writes one) is not part of the first header name.
        if end >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { index = 3 }
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), newline = UInt8(ascii: "\n"), carriage = UInt8(ascii: "\r")

        func text(_ start: Int, _ stop: Int) throws -> String {
            var start = start, stop = stop
            while start < stop, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
            while stop > start, bytes[stop - 1] == 0x20 || bytes[stop - 1] == 0x09 || bytes[stop - 1] == carriage { stop -= 1 }
            return try utf8(UnsafeBufferPointer(rebasing: bytes[start..<stop]))
        }
        func endRecord() {
            // Blank lines are skipped, as every CSV reader does.
            if !(record.count == 1 && record[0].isEmpty) {
                width = max(width, record.count)
                records.append(record)
            }
            record = []
            record.reserveCapacity(width)
        }

        while index < end {
            if bytes[index] == quote {
                // A quoted field: up to the closing quote, `""` standing for one quote.
                quoted.removeAll(keepingCapacity: true)
                index += 1
                var closed = false
                while index < end {
                    let byte = bytes[index]
                    if byte == quote {
                        if index + 1 < end, bytes[index + 1] == quote {
                            quoted.append(quote)
                            index += 2
                            continue
                        }
                        closed = true
                        index += 1
                        break
                    }
                    quoted.append(byte)
                    index += 1
                }
                guard closed else { throw ParseError.unterminatedQuote(row: records.count) }
                record.append(try quoted.withUnsafeBufferPointer(utf8))
                // Skip to the separator (text after a closing quote is ignored, as Python's csv does).
                while index < end, bytes[index] != comma, bytes[index] != newline { index += 1 }
            } else {
                let start = index
                while index < end, bytes[index] != comma, bytes[index] != newline { index += 1 }
                record.append(try text(start, index))
            }
            if index < end, bytes[index] == comma {
                index += 1
                if index == end { record.append("") }
            } else {
                index += 1
                endRecord()
            }
        }
        if !record.isEmpty { endRecord() }
        guard let header = records.first else { throw ParseError.empty }
        return CSVTable(header: header, rows: Array(records.dropFirst()))
    }
}

/// Decimal numbers as CSV files write them, parsed from UTF-8 bytes without Foundation.
enum FastNumber {
    /// Plain decimals (`-12.5`, `3`, `1e-3`) with at most 15 significant digits are exact here
    /// (Clinger's fast path: an integer mantissa below 2^53 times a power of ten up to 10^22 is
    /// one correctly rounded IEEE operation); anything else goes to the standard library.
    static func parse(_ string: String) -> Double? {
        var string = string
        if let fast = string.withUTF8({ bytes in parse(bytes) }) { return fast }
        return Double(string)
    }

    static let powers: [Double] = (0...22).map { pow(10, Double($0)) }

    /// The value when the fast path applies; nil leaves the decision to the standard library.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        var index = 0
        let count = bytes.count
        guard count > 0 else { return nil }
        var negative = false
        if bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: "+") {
            negative = bytes[0] == UInt8(ascii: "-")
            index = 1
        }
        var mantissa: UInt64 = 0, digits = 0, scale = 0, sawDigit = false
        while index < count, bytes[index] &- 48 < 10 {
            if mantissa != 0 || bytes[index] != 48 { digits += 1 }
            mantissa = mantissa &* 10 &+ UInt64(bytes[index] &- 48)
            index += 1
            sawDigit = true
        }
        if index < count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            while index < count, bytes[index] &- 48 < 10 {
                if mantissa != 0 || bytes[index] != 48 { digits += 1 }
                mantissa = mantissa &* 10 &+ UInt64(bytes[index] &- 48)
                scale -= 1
                index += 1
                sawDigit = true
            }
        }
        guard sawDigit else { return nil }
        if index < count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            var exponentNegative = false
            if index < count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            var exponent = 0, sawExponent = false
            while index < count, bytes[index] &- 48 < 10, exponent < 10_000 {
                exponent = exponent * 10 + Int(bytes[index] &- 48)
                index += 1
                sawExponent = true
            }
            guard sawExponent else { return nil }
            scale += exponentNegative ? -exponent : exponent
        }
        guard index == count, digits <= 15, abs(scale) <= 22 else { return nil }
        var value = Double(mantissa)
        value = scale < 0 ? value / powers[-scale] : value * powers[scale]
        return negative ? -value : value
    }
}
