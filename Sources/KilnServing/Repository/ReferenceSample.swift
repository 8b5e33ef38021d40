import Foundation
import KilnCore

/// Rows from a tabular model's training data, stored with a version as `reference.json`
/// (`{"feature_names": [...], "rows": [[...], ...]}`): the background KernelSHAP integrates
/// over and the statistics LIME perturbs with. Checked when the version is read, so a version
/// with a broken sample does not load.
public struct ReferenceSample: Sendable, Equatable {
    public static let fileName = "reference.json"
    public static let maxRows = 100_000

    public let featureNames: [String]?
    /// Row-major, `rows × columns`.
    public let values: [Float]
    public let rows: Int
    public let columns: Int

    public init(featureNames: [String]?, values: [Float], rows: Int, columns: Int) {
        self.featureNames = featureNames
        self.values = values
        self.rows = rows
        self.columns = columns
    }

    /// The file as written: at most `maxRows` rows of `columns` finite numbers.
    public func encoded() throws -> Data {
        struct File: Encodable { var feature_names: [String]?; var rows: [[Float]] }
        let rowArrays = (0..<rows).map { Array(values[($0 * columns)..<(($0 + 1) * columns)]) }
        return try JSONEncoder().encode(File(feature_names: featureNames, rows: rowArrays))
    }

    /// Reads `reference.json` from a version folder, or nil when there is none.
    static func read(in directory: URL, config: ModelConfig) throws -> ReferenceSample? {
        let url = directory.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        struct File: Decodable { var feature_names: [String]?; var rows: [[Double]] }
        guard let columns = config.tabularFeatureCount else {
            throw KilnError.invalidArgument("\(fileName) is only for tabular models (one FP32 input of shape [-1, features])")
        }
        guard let file = try? JSONDecoder().decode(File.self, from: Data(contentsOf: url)) else {
            throw KilnError.invalidArgument("\(fileName) must be {\"feature_names\": [strings], \"rows\": [[numbers]]}")
        }
        guard !file.rows.isEmpty, file.rows.count <= maxRows else {
            throw KilnError.invalidArgument("\(fileName) needs 1...\(maxRows) rows, has \(file.rows.count)")
        }
        guard file.rows.allSatisfy({ $0.count == columns && $0.allSatisfy(\.isFinite) }) else {
            throw KilnError.invalidArgument("\(fileName): every row needs \(columns) finite numbers (the model's features)")
        }
        if let names = file.feature_names, names.count != columns {
            throw KilnError.invalidArgument("\(fileName): feature_names has \(names.count) names for \(columns) features")
        }
        return ReferenceSample(featureNames: file.feature_names, values: file.rows.flatMap { $0.map(Float.init) },
                               rows: file.rows.count, columns: columns)
    }
}

extension ModelConfig {
    /// The feature count of a tabular model (one FP32 input `[-1, features]` with a batch
    /// dimension), or nil for any other signature.
    public var tabularFeatureCount: Int? {
        guard inputs.count == 1, inputs[0].datatype == .fp32, inputs[0].shape.count == 2,
              batchLimit > 0 || inputs[0].shape[0] == -1, inputs[0].shape[1] > 0 else { return nil }
        return inputs[0].shape[1]
    }
}
