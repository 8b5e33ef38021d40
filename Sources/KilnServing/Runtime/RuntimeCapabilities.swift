import KilnCore
import Torch
import XGBoost

/// What an app may ask of a loaded model beyond `execute`: capabilities are protocols that
/// runtimes conform to, so an app asks "can this model do X" (`ModelScheduler.perform`), never
/// which concrete runtime it is.

/// A TorchScript module whose named methods (and autograd) an app may run, e.g. Grad-CAM's
/// `logits_and_features`, or a sliding-window segmenter's `forward` on crops.
public protocol TorchScriptMethods: Sendable {
    var module: TorchModule { get }
}

/// A tree ensemble that explains a row by per-feature contributions (TreeSHAP).
public protocol TreeContributions: Sendable {
    /// Raw margins, `rows` values (single-output models).
    func margins(_ values: [Float], rows: Int, columns: Int) throws -> [Float]
    /// `rows × (columns + 1)` contributions; the last of each row is the base value.
    func contributions(_ values: [Float], rows: Int, columns: Int) throws -> [Float]
}

extension TorchScriptRuntime: TorchScriptMethods {}

extension XGBoostRuntime: TreeContributions {
    public func margins(_ values: [Float], rows: Int, columns: Int) throws -> [Float] {
        try model.predict(values, rows: rows, columns: columns, kind: .margin).values
    }

    public func contributions(_ values: [Float], rows: Int, columns: Int) throws -> [Float] {
        try model.predict(values, rows: rows, columns: columns, kind: .contributions).values
    }
}
