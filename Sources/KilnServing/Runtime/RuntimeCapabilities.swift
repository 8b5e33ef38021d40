import Foundation
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

/// A tree ensemble whose trees an app may read (XGBoost's JSON model file), for evaluators that
/// work on the trees themselves (KernelSHAP's coalition values).
public protocol TreeModelFile: Sendable {
    /// nil when the model was not loaded from JSON (`model.ubj`).
    var treeModelJSON: URL? { get }
}

extension TorchScriptRuntime: TorchScriptMethods {}

extension XGBoostRuntime: TreeModelFile {
    public var treeModelJSON: URL? { artifact?.pathExtension.lowercased() == "json" ? artifact : nil }
}

extension XGBoostRuntime: TreeContributions {
    public func margins(_ values: [Float], rows: Int, columns: Int) throws -> [Float] {
        try model.predict(values, rows: rows, columns: columns, kind: .margin).values
    }

    public func contributions(_ values: [Float], rows: Int, columns: Int) throws -> [Float] {
        try model.predict(values, rows: rows, columns: columns, kind: .contributions).values
    }
}
