import CXGBoost
import Foundation
import KilnCore

/// A gradient-boosted tree model loaded through XGBoost's C API. Owns its booster handle.
///
/// Prediction is thread-safe in XGBoost ≥ 1.4 (results live in thread-local buffers, copied
/// out here before returning), so one loaded model serves concurrent requests.
public final class XGBoostModel: @unchecked Sendable {
    // @unchecked: the handle is freed only in deinit; XGBoost serialises what needs it internally.
    private let booster: BoosterHandle
    private let library: XGBoostLibrary

    public enum PredictionKind: Int, Sendable {
        /// The objective's output: probabilities for `binary:logistic`, `multi:softprob`; values for regression.
        case value = 0
        /// Raw scores before the link function.
        case margin = 1
        /// TreeSHAP contributions: one column per feature plus the bias.
        case contributions = 2
        /// TreeSHAP interaction values: (features+1)² per row.
        case interactions = 4
    }

    /// Loads `model.json` or `model.ubj` (the format follows the extension, as in XGBoost).
    /// - Parameter threads: OpenMP threads for loading and predicting. With 1, XGBoost starts no
    ///   OpenMP worker team at all: the calling thread's default is set to 1 before the load,
    ///   which XGBoost parallelises with that default.
    public init(path: String, library: XGBoostLibrary, threads: Int? = nil) throws {
        self.library = library
        if let threads { library.setOpenMPThreads(Int32(threads)) }
        var handle: BoosterHandle?
        try Self.check(library.create(nil, 0, &handle), "create booster", library: library)
        guard let handle else { throw KilnError(.internal, "XGBoost returned no booster") }
        // Once `booster` is set, a throwing init still runs deinit, which frees the handle.
        booster = handle
        try Self.check(library.loadModel(handle, path), "load \(URL(fileURLWithPath: path).lastPathComponent)", input: true, library: library)
        if let threads { try setThreads(threads) }
    }

    deinit {
        _ = library.free(booster)
    }

    public func setThreads(_ threads: Int) throws {
        try Self.check(library.setParam(booster, "nthread", String(threads)), "set nthread", library: library)
    }

    public var featureCount: Int {
        var count: bst_ulong = 0
        _ = library.numFeature(booster, &count)
        return Int(count)
    }

    /// Predicts on `rows` × `columns` dense FP32 values (row-major; NaN = missing).
    /// Returns the values and their shape (rows, or rows × outputs).
    public func predict(_ values: [Float], rows: Int, columns: Int, kind: PredictionKind = .value) throws -> (values: [Float], shape: [Int]) {
        guard values.count == rows * columns else {
            throw KilnError.invalidArgument("expected \(rows)×\(columns) values, got \(values.count)")
        }
        guard columns == featureCount else {
            throw KilnError.invalidArgument("the model takes \(featureCount) features, got \(columns)")
        }
        let config = #"{"type": \#(kind.rawValue), "training": false, "iteration_begin": 0, "iteration_end": 0, "strict_shape": false, "missing": NaN, "cache_id": 0}"#
        var shapePointer: UnsafePointer<bst_ulong>?
        var dimensions: bst_ulong = 0
        var resultPointer: UnsafePointer<Float>?
        switch kind {
        case .value, .margin:
            // In-place prediction reads the caller's buffer directly: no DMatrix, no copy.
            try values.withUnsafeBufferPointer { buffer in
                let address = UInt(bitPattern: buffer.baseAddress)
                let interface = #"{"data": [\#(address), true], "shape": [\#(rows), \#(columns)], "typestr": "<f4", "version": 3}"#
                try Self.check(
                    library.predictDense(booster, interface, config, nil, &shapePointer, &dimensions, &resultPointer),
                    "predict", input: true, library: library)
            }
        case .contributions, .interactions:
            // SHAP values need a DMatrix (in-place prediction supports values and margins only).
            var matrix: DMatrixHandle?
            try Self.check(library.matrixFromDense(values, bst_ulong(rows), bst_ulong(columns), .nan, &matrix), "create DMatrix", library: library)
            defer { _ = library.matrixFree(matrix) }
            try Self.check(
                library.predictMatrix(booster, matrix, config, &shapePointer, &dimensions, &resultPointer),
                "predict contributions", input: true, library: library)
        }
        guard let shapePointer, let resultPointer else { throw KilnError(.internal, "XGBoost returned no prediction") }
        let shape = (0..<Int(dimensions)).map { Int(shapePointer[$0]) }
        let count = shape.reduce(1, *)
        return (Array(UnsafeBufferPointer(start: resultPointer, count: count)), shape)
    }

    static func check(_ status: Int32, _ operation: String, input: Bool = false, library: XGBoostLibrary) throws {
        guard status != 0 else { return }
        let message = library.lastError().map { String(cString: $0) } ?? "unknown error"
        let firstLine = message.split(separator: "\n").first.map(String.init) ?? message
        throw KilnError(input ? .invalidArgument : .internal, "XGBoost could not \(operation): \(firstLine)")
    }
}
