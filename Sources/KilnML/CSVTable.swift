import Foundation

/// A CSV file parsed once (RFC 4180: comma-separated, `"` quotes with `""` escapes, LF or CRLF
/// line ends), every field a string: for small files (feature mappings) and tests. Numeric
/// tables are checked and converted straight from the bytes (the CTR app's `CTRDataset`).
/// Rows keep their raw width so that validation can report ragged rows.
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

        /// A scanner's record error, after `recordsBefore` complete records (the header included).
        public init(_ error: CSVFieldScanner.RecordError, recordsBefore: Int) {
            switch error {
            case .notUTF8: self = .notUTF8
            case .unterminatedQuote: self = .unterminatedQuote(row: recordsBefore)
            }
        }
    }

    public static func parse(_ data: Data) throws -> CSVTable {
        try data.withUnsafeBytes { raw in try parse(bytes: raw.bindMemory(to: UInt8.self)) }
    }

    public static func parse(bytes: UnsafeBufferPointer<UInt8>) throws -> CSVTable {
        var records: [[String]] = []
        var scanner = CSVFieldScanner(bytes: bytes)
        do {
            while let record = try scanner.nextRecord() { records.append(record) }
        } catch {
            throw ParseError(error, recordsBefore: records.count)
        }
        guard let header = records.first else { throw ParseError.empty }
        return CSVTable(header: header, rows: Array(records.dropFirst()))
    }
}
