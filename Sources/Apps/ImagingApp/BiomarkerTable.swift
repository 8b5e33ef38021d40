import Foundation
import KilnCore
import KilnML

/// The Wisconsin breast-cancer table as the demo biomarker model uses it: the 30 features
/// under scikit-learn's names, and `target` (0 = malignant, 1 = benign). Other columns
/// (`diagnosis`) are ignored.
public struct BiomarkerTable: Sendable {
    public static let target = "target"
    public var features: [String]
    /// Row-major, `features.count` per row.
    public var values: [Float]
    public var labels: [Float]
    public var rows: Int { labels.count }

    public init(features: [String], values: [Float], labels: [Float]) {
        self.features = features
        self.values = values
        self.labels = labels
    }

    public static func load(csv url: URL) throws -> BiomarkerTable {
        let table = try CSVTable.parse(Data(contentsOf: url))
        guard let targetIndex = table.header.firstIndex(of: target) else {
            throw KilnError.invalidArgument("\(url.lastPathComponent) has no '\(target)' column")
        }
        let featureIndices = table.header.indices.filter { $0 != targetIndex && table.header[$0] != "diagnosis" }
        var values: [Float] = []
        var labels: [Float] = []
        values.reserveCapacity(table.rows.count * featureIndices.count)
        for (line, row) in table.rows.enumerated() {
            guard row.count == table.header.count, let label = Float(row[targetIndex]), label == 0 || label == 1 else {
                throw KilnError.invalidArgument("\(url.lastPathComponent) line \(line + 2): expected \(table.header.count) fields and a 0/1 target")
            }
            for index in featureIndices {
                guard let value = Float(row[index]) else {
                    throw KilnError.invalidArgument("\(url.lastPathComponent) line \(line + 2): '\(table.header[index])' is not a number")
                }
                values.append(value)
            }
            labels.append(label)
        }
        return BiomarkerTable(features: featureIndices.map { table.header[$0] }, values: values, labels: labels)
    }

    /// The rows at `indices`, in that order.
    public func subset(_ indices: [Int]) -> BiomarkerTable {
        let width = features.count
        var values: [Float] = []
        values.reserveCapacity(indices.count * width)
        for row in indices { values += self.values[row * width..<(row + 1) * width] }
        return BiomarkerTable(features: features, values: values, labels: indices.map { labels[$0] })
    }

    /// Stratified folds: the rows of each class, in file order, are dealt to folds in turn, so
    /// every fold keeps the class balance and the split is the same on every run.
    public func stratifiedFolds(_ count: Int) -> [[Int]] {
        var folds = Array(repeating: [Int](), count: count)
        var dealt = [Float: Int]()
        for (row, label) in labels.enumerated() {
            let position = dealt[label, default: 0]
            folds[position % count].append(row)
            dealt[label] = position + 1
        }
        return folds
    }
}
