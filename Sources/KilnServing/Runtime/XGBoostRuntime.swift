import Foundation
import KilnCore
import XGBoost

/// XGBoost: one FP32 input `[rows, features]`, one FP32 output (`[rows]`, or `[rows, classes]`
/// for multi-class models), predicted in place on the request's bytes.
public struct XGBoostRuntime: ModelRuntime {
    /// The booster, for apps that need more than `execute` (TreeSHAP contributions, margins).
    public let model: XGBoostModel
    /// The file it was loaded from (`model.json` or `model.ubj`).
    public let artifact: URL?

    public init(model: XGBoostModel, artifact: URL? = nil) {
        self.model = model
        self.artifact = artifact
    }

    public func execute(_ inputs: [Tensor]) throws -> [Tensor] {
        let input = inputs[0]
        guard input.shape.count == 2 else {
            throw KilnError.invalidArgument("xgboost input must be [rows, features], got \(input.shape)")
        }
        let values = input.storage.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        let (predictions, shape) = try model.predict(values, rows: input.shape[0], columns: input.shape[1])
        return [Tensor(datatype: .fp32, shape: shape, storage: predictions.withUnsafeBytes { Array($0) })]
    }
}
