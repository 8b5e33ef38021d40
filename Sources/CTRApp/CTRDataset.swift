import Foundation
import KilnCore

/// An uploaded CTR table checked the way training needs it: a binary target column `clicked`
/// and numeric feature columns. Every problem names its row and column.
public struct CTRDataset: Sendable {
    public static let target = "clicked"
    /// At most this many problems of one kind are listed (the count says how many there were).
    static let maxListed = 20

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

    public let table: CSVTable
    public let validation: Validation
    public let info: Info

    public init(table: CSVTable) {
        self.table = table
        var errors: [Problem] = []
        var warnings: [Problem] = []
        let header = table.header
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
        if table.rows.isEmpty {
            errors.append(Problem(code: "no_rows", message: "the file has a header but no data rows"))
        }

        let ragged = table.rows.indices.filter { table.rows[$0].count != width }
        for index in ragged.prefix(Self.maxListed) {
            errors.append(Problem(code: "ragged_row", message: "line \(index + 2) has \(table.rows[index].count) fields, the header has \(width)",
                                  row: index + 2, column: nil))
        }
        if ragged.count > Self.maxListed {
            errors.append(Problem(code: "ragged_row", message: "\(ragged.count) lines in all have the wrong number of fields", count: ragged.count))
        }

        var clicked = 0
        for (column, name) in header.enumerated() where !name.isEmpty {
            var missing = 0, firstMissing: Int?
            var nonNumeric = 0, firstNonNumeric: (row: Int, value: String)?
            var nonBinary = 0, firstNonBinary: (row: Int, value: String)?
            for (index, row) in table.rows.enumerated() where column < row.count {
                let value = row[column]
                if value.isEmpty {
                    missing += 1
                    if firstMissing == nil { firstMissing = index + 2 }
                    continue
                }
                guard let number = FastNumber.parse(value), number.isFinite else {
                    nonNumeric += 1
                    if firstNonNumeric == nil { firstNonNumeric = (index + 2, value) }
                    continue
                }
                if column == targetIndex {
                    if number == 1 { clicked += 1 } else if number != 0 {
                        nonBinary += 1
                        if firstNonBinary == nil { firstNonBinary = (index + 2, value) }
                    }
                }
            }
            if let first = firstNonNumeric {
                errors.append(Problem(code: "non_numeric", message: "column '\(name)' has \(nonNumeric) non-numeric values, first '\(first.value.prefix(40))' on line \(first.row)",
                                      row: first.row, column: name, count: nonNumeric))
            }
            if let first = firstNonBinary {
                errors.append(Problem(code: "non_binary_target", message: "'\(Self.target)' must be 0 or 1; \(nonBinary) values are not, first '\(first.value.prefix(40))' on line \(first.row)",
                                      row: first.row, column: name, count: nonBinary))
            }
            if let first = firstMissing {
                let problem = Problem(code: "missing_values", message: "column '\(name)' has \(missing) empty values, first on line \(first)",
                                      row: first, column: name, count: missing)
                // A missing feature is imputed (XGBoost learns a default direction); a missing label is not.
                if column == targetIndex { errors.append(problem) } else { warnings.append(problem) }
            }
        }
        if targetIndex != nil, !table.rows.isEmpty, clicked == 0 || clicked == table.rows.count {
            warnings.append(Problem(code: "single_class", message: "every row has the same '\(Self.target)' value; a model cannot learn from it",
                                    column: Self.target))
        }
        validation = Validation(isValid: errors.isEmpty, errors: errors, warnings: warnings)
        let total = table.rows.count
        info = Info(totalRows: total, clickedOne: clicked, ctr: total == 0 ? 0 : (Double(clicked) / Double(total) * 10_000).rounded() / 100)
    }

    public var featureNames: [String] { table.header.filter { $0 != Self.target } }

    /// The first `count` rows as objects, numbers as numbers.
    public func preview(_ count: Int = 10) -> [JSONValue] {
        table.rows.prefix(count).map { row in
            var object: [String: JSONValue] = [:]
            for (index, name) in table.header.enumerated() where index < row.count {
                object[name] = FastNumber.parse(row[index]).map(JSONValue.number) ?? .string(row[index])
            }
            return .object(object)
        }
    }

    /// Features (row-major, empty = NaN) and labels for training; only for a valid dataset.
    public func matrix() throws -> (values: [Float], labels: [Float], columns: Int) {
        guard validation.isValid, let targetIndex = table.header.firstIndex(of: Self.target) else {
            throw KilnError.invalidArgument("the dataset is not valid for training: \(validation.errors.first?.message ?? "unknown problem")")
        }
        let featureIndices = table.header.indices.filter { $0 != targetIndex }
        var values: [Float] = []
        values.reserveCapacity(table.rows.count * featureIndices.count)
        var labels: [Float] = []
        labels.reserveCapacity(table.rows.count)
        for row in table.rows {
            for index in featureIndices { values.append(FastNumber.parse(row[index]).map(Float.init) ?? .nan) }
            labels.append(FastNumber.parse(row[targetIndex]).map(Float.init) ?? 0)
        }
        return (values, labels, featureIndices.count)
    }
}
