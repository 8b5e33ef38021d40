import CXGBoost
import Foundation
import KilnCore

/// Trains a booster on dense FP32 rows through XGBoost's C API, one boosting round at a time,
/// so that the caller can report progress, record metrics and stop between rounds.
public final class XGBoostTrainer: @unchecked Sendable {
    // @unchecked: used from one task at a time (a training job); handles freed in deinit.
    private let library: XGBoostLibrary
    private let booster: BoosterHandle
    private var matrices: [DMatrixHandle] = []
    private let evaluationNames: [String]

    /// A labelled dense matrix: `rows` × `columns` values, row-major, NaN = missing.
    public struct DataSet: Sendable {
        public var values: [Float]
        public var labels: [Float]
        public var columns: Int

        public init(values: [Float], labels: [Float], columns: Int) {
            self.values = values
            self.labels = labels
            self.columns = columns
        }

        public var rows: Int { labels.count }
    }

    /// - Parameters:
    ///   - train: the rows boosted on.
    ///   - evaluation: named sets evaluated after every round (e.g. `["train": …, "validation": …]`,
    ///     in the order given by `evaluationOrder`).
    ///   - parameters: XGBoost parameters (`objective`, `eval_metric`, `max_depth`, `eta`, `seed`, …);
    ///     `eval_metric` may repeat, so parameters are a list of pairs.
    public init(library: XGBoostLibrary, train: DataSet, evaluation: [(name: String, data: DataSet)], parameters: [(String, String)]) throws {
        self.library = library
        let trainMatrix = try Self.matrix(train, library: library)
        var handles: [DMatrixHandle] = [trainMatrix]
        do {
            for set in evaluation { handles.append(try Self.matrix(set.data, library: library)) }
        } catch {
            for handle in handles { _ = library.matrixFree(handle) }
            throw error
        }
        var trainHandle: DMatrixHandle? = trainMatrix
        var handle: BoosterHandle?
        let status = library.create(&trainHandle, 1, &handle)
        guard status == 0, let handle else {
            for matrix in handles { _ = library.matrixFree(matrix) }
            try XGBoostModel.check(status, "create booster", library: library)
            throw KilnError(.internal, "XGBoost returned no booster")
        }
        booster = handle
        matrices = handles
        evaluationNames = evaluation.map(\.name)
        for (key, value) in parameters {
            try XGBoostModel.check(library.setParam(booster, key, value), "set \(key)", input: true, library: library)
        }
    }

    deinit {
        _ = library.free(booster)
        for matrix in matrices { _ = library.matrixFree(matrix) }
    }

    private static func matrix(_ set: DataSet, library: XGBoostLibrary) throws -> DMatrixHandle {
        guard set.columns > 0, set.values.count == set.rows * set.columns, set.rows > 0 else {
            throw KilnError.invalidArgument("expected \(set.rows)×\(set.columns) values, got \(set.values.count)")
        }
        var handle: DMatrixHandle?
        try XGBoostModel.check(library.matrixFromDense(set.values, bst_ulong(set.rows), bst_ulong(set.columns), .nan, &handle),
                               "create matrix", input: true, library: library)
        guard let handle else { throw KilnError(.internal, "XGBoost returned no matrix") }
        let status = library.setFloatInfo(handle, "label", set.labels, bst_ulong(set.labels.count))
        if status != 0 { _ = library.matrixFree(handle) }
        try XGBoostModel.check(status, "set labels", input: true, library: library)
        return handle
    }

    /// Runs boosting round `round` (0-based) and evaluates every evaluation set.
    /// Returns `"<set>-<metric>" → value`, e.g. `validation-auc`.
    public func boost(round: Int) throws -> [String: Double] {
        try XGBoostModel.check(library.updateOneIter(booster, Int32(round), matrices[0]), "boost round \(round)", library: library)
        guard !evaluationNames.isEmpty else { return [:] }
        var evaluationHandles: [DMatrixHandle?] = Array(matrices.dropFirst())
        let names = evaluationNames.map { strdup($0) }
        defer { names.forEach { free($0) } }
        var namePointers: [UnsafePointer<CChar>?] = names.map { UnsafePointer($0) }
        var result: UnsafePointer<CChar>?
        try XGBoostModel.check(
            library.evalOneIter(booster, Int32(round), &evaluationHandles, &namePointers, bst_ulong(names.count), &result),
            "evaluate round \(round)", library: library)
        return Self.parseEvaluation(result.map { String(cString: $0) } ?? "")
    }

    /// Parses XGBoost's `"[3]\ttrain-logloss:0.41\tvalidation-auc:0.77"`.
    static func parseEvaluation(_ text: String) -> [String: Double] {
        var metrics: [String: Double] = [:]
        for field in text.split(separator: "\t").dropFirst() {
            guard let colon = field.lastIndex(of: ":"), let value = Double(field[field.index(after: colon)...]) else { continue }
            metrics[String(field[..<colon])] = value
        }
        return metrics
    }

    /// Writes the model (`.json` or `.ubj`, chosen by the extension, as XGBoost does).
    public func save(to url: URL) throws {
        try XGBoostModel.check(library.saveModel(booster, url.path), "save the model", library: library)
    }
}
