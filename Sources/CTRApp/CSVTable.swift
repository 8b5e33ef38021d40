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
        var records: [[String]] = []
        var record: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var fieldWasQuoted = false
        var index = data.startIndex
        // A UTF-8 byte-order mark (Excel writes one) is not part of the first header name.
        if data.starts(with: [0xEF, 0xBB, 0xBF]) { index = data.index(index, offsetBy: 3) }

        func endField() throws {
            guard let text = String(bytes: field, encoding: .utf8) else { throw ParseError.notUTF8 }
            record.append(fieldWasQuoted ? text : text.trimmingCharacters(in: .whitespaces))
            field.removeAll(keepingCapacity: true)
            fieldWasQuoted = false
        }
        func endRecord() throws {
            try endField()
            // Blank lines are skipped, as every CSV reader does.
            if !(record.count == 1 && record[0].isEmpty) { records.append(record) }
            record = []
        }

        while index < data.endIndex {
            let byte = data[index]
            if inQuotes {
                if byte == UInt8(ascii: "\"") {
                    let next = data.index(after: index)
                    if next < data.endIndex, data[next] == UInt8(ascii: "\"") {
                        field.append(byte)
                        index = next
                    } else {
                        inQuotes = false
                    }
                } else {
                    field.append(byte)
                }
            } else {
                switch byte {
                case UInt8(ascii: "\""): inQuotes = true; fieldWasQuoted = true
                case UInt8(ascii: ","): try endField()
                case UInt8(ascii: "\n"): try endRecord()
                case UInt8(ascii: "\r"): break
                default: field.append(byte)
                }
            }
            index = data.index(after: index)
        }
        if inQuotes { throw ParseError.unterminatedQuote(row: records.count) }
        if !field.isEmpty || !record.isEmpty { try endRecord() }
        guard let header = records.first else { throw ParseError.empty }
        return CSVTable(header: header, rows: Array(records.dropFirst()))
    }
}
