import Foundation
import KilnCore
import KilnML

/// An uploaded CTR table checked the way training needs it: a binary target column `clicked`
/// and numeric feature columns. Every problem names its row and column.
public struct CTRDataset: Sendable {
    public static let target = "clicked"
    /// At most this many problems of one kind are listed (the count says how many there were).
    static let maxListed = 20
    public static let previewRows = 10

    public struct Problem: Codable, Sendable, Equatable {
        public var code: String
        public var message: String
        /// 1-based line in the file (the header is line 1).
        public var row: Int?
        public var column: String?
        public var count: Int?
    }

    public struct Validation: Codable, Sendable {
        public var isValid: Bool
        public var errors: [Problem]
        public var warnings: [Problem]
    }

    public struct Info: Codable, Sendable {
        public var totalRows: Int
        public var clickedOne: Int
        /// Percent of rows with `clicked` = 1.
        public var ctr: Double
    }

    public let header: [String]
    public let validation: Validation
    public let info: Info
    /// The first rows' fields as text, for the upload answer's preview.
    let leadingRows: [[String]]
    /// The file (usually memory-mapped), read again by `matrix()`.
    private let csv: Data

    /// Checks a CSV without turning its values into strings: fields are classified and
    /// converted straight from the bytes, and a large file without quotes is split at line
    /// ends and scanned on every core. Throws `CSVTable.ParseError` for files that are not
    /// a CSV at all (empty, not UTF-8, an unclosed quote).
    /// - Parameter cores: how many threads may scan (a caller busy on other cores passes fewer).
    public init(csv: Data, cores: Int = ProcessInfo.processInfo.activeProcessorCount) throws {
        self.csv = csv
        let (header, leadingRows, tally) = try csv.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            let head = try CTRTableScan.header(bytes)
            let targetIndex = head.names.firstIndex(of: Self.target)
            var leading: [[String]] = []
            var scanner = CSVFieldScanner(bytes: bytes, start: head.end)
            do {
                while leading.count < Self.previewRows, let record = try scanner.nextRecord() { leading.append(record) }
            } catch let error as CSVFieldScanner.RecordError {
                throw CSVTable.ParseError(error, recordsBefore: leading.count + 1)
            }
            let tally = try CTRTableScan.scan(bytes, from: head.end, width: head.names.count, target: targetIndex, collect: false,
                                            cores: cores)
            return (head.names, leading, tally)
        }
        self.header = header
        self.leadingRows = leadingRows
        var errors: [Problem] = []
        var warnings: [Problem] = []
        let width = header.count

        var seen: [String: Int] = [:]
        for (index, name) in header.enumerated() {
            if name.isEmpty {
                errors.append(Problem(code: "empty_header", message: "column \(index + 1) has no name", row: 1, column: nil))
            } else if let first = seen[name] {
                errors.append(Problem(code: "duplicate_header", message: "column '\(name)' appears twice (columns \(first + 1) and \(index + 1))",
                                      row: 1, column: name))
            } else {
                seen[name] = index
            }
        }
        let targetIndex = header.firstIndex(of: Self.target)
        if targetIndex == nil {
            errors.append(Problem(code: "missing_target", message: "the target column '\(Self.target)' is missing", row: 1, column: Self.target))
        }
        if tally.rows == 0 {
            errors.append(Problem(code: "no_rows", message: "the file has a header but no data rows"))
        }

        for ragged in tally.ragged.prefix(Self.maxListed) {
            errors.append(Problem(code: "ragged_row", message: "line \(ragged.row + 2) has \(ragged.width) fields, the header has \(width)",
                                  row: ragged.row + 2, column: nil))
        }
        if tally.raggedCount > Self.maxListed {
            errors.append(Problem(code: "ragged_row", message: "\(tally.raggedCount) lines in all have the wrong number of fields", count: tally.raggedCount))
        }

        for (column, name) in header.enumerated() where !name.isEmpty {
            let counts = tally.columns[column]
            if let first = counts.firstNonNumeric {
                errors.append(Problem(code: "non_numeric", message: "column '\(name)' has \(counts.nonNumeric) non-numeric values, first '\(first.value.prefix(40))' on line \(first.row + 2)",
                                      row: first.row + 2, column: name, count: counts.nonNumeric))
            }
            if let first = counts.firstNonBinary {
                errors.append(Problem(code: "non_binary_target", message: "'\(Self.target)' must be 0 or 1; \(counts.nonBinary) values are not, first '\(first.value.prefix(40))' on line \(first.row + 2)",
                                      row: first.row + 2, column: name, count: counts.nonBinary))
            }
            if let first = counts.firstMissing {
                let problem = Problem(code: "missing_values", message: "column '\(name)' has \(counts.missing) empty values, first on line \(first + 2)",
                                      row: first + 2, column: name, count: counts.missing)
                // A missing feature is imputed (XGBoost learns a default direction); a missing label is not.
                if column == targetIndex { errors.append(problem) } else { warnings.append(problem) }
            }
        }
        let clicked = targetIndex.map { tally.columns[$0].ones } ?? 0
        if targetIndex != nil, tally.rows > 0, clicked == 0 || clicked == tally.rows {
            warnings.append(Problem(code: "single_class", message: "every row has the same '\(Self.target)' value; a model cannot learn from it",
                                    column: Self.target))
        }
        validation = Validation(isValid: errors.isEmpty, errors: errors, warnings: warnings)
        let total = tally.rows
        info = Info(totalRows: total, clickedOne: clicked, ctr: total == 0 ? 0 : (Double(clicked) / Double(total) * 10_000).rounded() / 100)
    }

    public var featureNames: [String] { header.filter { $0 != Self.target } }

    /// The first `count` rows as objects, numbers as numbers.
    public func preview(_ count: Int = previewRows) -> [JSONValue] {
        leadingRows.prefix(count).map { row in
            var object: [String: JSONValue] = [:]
            for (index, name) in header.enumerated() where index < row.count {
                object[name] = FastNumber.parse(row[index]).map(JSONValue.number) ?? .string(row[index])
            }
            return .object(object)
        }
    }

    /// Features (row-major, empty = NaN) and labels for training; only for a valid dataset.
    public func matrix() throws -> (values: [Float], labels: [Float], columns: Int) {
        guard validation.isValid, let targetIndex = header.firstIndex(of: Self.target) else {
            throw KilnError.invalidArgument("the dataset is not valid for training: \(validation.errors.first?.message ?? "unknown problem")")
        }
        let tally = try csv.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            return try CTRTableScan.scan(bytes, from: try CTRTableScan.header(bytes).end, width: header.count, target: targetIndex, collect: true)
        }
        return (tally.values, tally.labels, header.count - 1)
    }
}
