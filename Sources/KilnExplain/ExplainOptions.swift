import KilnCore
import KilnML
import KilnServing

/// The explanation methods, and which a model supports (listed in its metadata).
public enum ExplainMethod: String, Sendable, Codable, CaseIterable {
    /// Exact TreeSHAP contributions of an XGBoost ensemble, in margin (log-odds) units.
    case treeShap = "tree_shap"
    case kernelShap = "kernel_shap"
    case lime
    /// Each feature replaced by the background's values in turn: f(x) − E[f(x with xⱼ ← bⱼ)].
    case permutation
    /// Image classifiers (TorchScript): Grad-CAM through the module's `(logits, feature_map)`
    /// method, or a gradient saliency map when it has none.
    case gradCam = "grad_cam"

    /// Tabular models (one FP32 input `[-1, features]`) get the model-agnostic methods; tree
    /// ensembles TreeSHAP too; TorchScript image classifiers (one FP32 input `[-1, C, H, W]`,
    /// one output `[-1, classes]`) Grad-CAM.
    public static func supported(by config: ModelConfig) -> [ExplainMethod] {
        guard config.outputs.count == 1 else { return [] }
        if config.imageClassifierShape != nil { return [.gradCam] }
        guard config.tabularFeatureCount != nil else { return [] }
        return (config.platform == .xgboost ? [.treeShap] : []) + [.kernelShap, .lime, .permutation]
    }
}

/// What an explain request asks for, read from the V2 request's `parameters`. Every field but
/// `method` has a default; a wrong type or value is an `invalid_argument` naming the field.
public struct ExplainOptions: Sendable {
    public enum BackgroundSummaryKind: String, Sendable, Codable {
        case kmeans, sample, all
    }

    public var method: ExplainMethod
    /// KernelSHAP coalitions (default 2·M + 2048) or LIME samples (default 5000).
    public var samples: Int?
    public var seed: UInt64
    /// Rows the caller sent as the background (and, for LIME, as the training statistics).
    public var background: [[Double]]?
    public var backgroundWeights: [Double]?
    public var backgroundSize: Int
    /// nil: `kmeans` for the stored reference, `all` for rows the caller sent.
    public var backgroundSummary: BackgroundSummaryKind?
    public var features: Int
    public var featureSelection: LIMETabular.FeatureSelection
    /// An output column (index or label); default: the only column, or the predicted class.
    public var target: JSONValue?
    /// true: run as a job; false: answer now; nil: a job when the work is large.
    public var job: Bool?
    /// KernelSHAP on an XGBoost JSON model: evaluate coalitions on its trees (default true).
    public var treeEvaluator = true

    public static let maxSamples = 100_000
    public static let maxBackgroundRows = 10_000

    public init(method: ExplainMethod, seed: UInt64 = 0) {
        self.method = method
        self.seed = seed
        backgroundSize = 100
        features = 10
        featureSelection = .auto
    }

    public init(parameters: [String: JSONValue]) throws {
        guard case .string(let name)? = parameters["method"] else {
            throw KilnError.invalidArgument("parameters.method is required: one of \(ExplainMethod.allCases.map(\.rawValue))")
        }
        guard let method = ExplainMethod(rawValue: name) else {
            throw KilnError.invalidArgument("parameters.method '\(name.prefix(64))' is not one of \(ExplainMethod.allCases.map(\.rawValue))")
        }
        self.init(method: method, seed: UInt64(try Self.integer(parameters, "seed", in: 0...Int(Int32.max)) ?? 0))
        samples = try Self.integer(parameters, "samples", in: 2...Self.maxSamples)
        backgroundSize = try Self.integer(parameters, "background_size", in: 1...Self.maxBackgroundRows) ?? 100
        features = try Self.integer(parameters, "num_features", in: 1...10_000) ?? 10
        if let value = parameters["background_summary"] {
            guard case .string(let text) = value, let kind = BackgroundSummaryKind(rawValue: text) else {
                throw KilnError.invalidArgument("parameters.background_summary must be \"kmeans\", \"sample\" or \"all\"")
            }
            backgroundSummary = kind
        }
        if let value = parameters["feature_selection"] {
            guard case .string(let text) = value, let selection = LIMETabular.FeatureSelection(rawValue: text) else {
                throw KilnError.invalidArgument("parameters.feature_selection must be one of \(LIMETabular.FeatureSelection.allCases.map(\.rawValue))")
            }
            featureSelection = selection
        }
        if let value = parameters["background"] {
            guard case .array(let rows) = value, !rows.isEmpty, rows.count <= Self.maxBackgroundRows else {
                throw KilnError.invalidArgument("parameters.background must be an array of 1...\(Self.maxBackgroundRows) rows")
            }
            background = try rows.map { row in
                guard case .array(let cells) = row else { throw KilnError.invalidArgument("parameters.background: each row is an array of numbers") }
                return try cells.map { cell in
                    guard case .number(let number) = cell, number.isFinite else {
                        throw KilnError.invalidArgument("parameters.background: each row is an array of finite numbers")
                    }
                    return number
                }
            }
        }
        if let value = parameters["background_weights"] {
            guard case .array(let cells) = value, cells.count == background?.count else {
                throw KilnError.invalidArgument("parameters.background_weights needs one number per background row")
            }
            backgroundWeights = try cells.map { cell in
                guard case .number(let number) = cell, number >= 0, number.isFinite else {
                    throw KilnError.invalidArgument("parameters.background_weights must be non-negative numbers")
                }
                return number
            }
        }
        target = parameters["target"]
        if let value = parameters["tree_evaluator"] {
            guard case .bool(let flag) = value else { throw KilnError.invalidArgument("parameters.tree_evaluator must be true or false") }
            treeEvaluator = flag
        }
        if let value = parameters["job"] {
            guard case .bool(let flag) = value else { throw KilnError.invalidArgument("parameters.job must be true or false") }
            job = flag
        }
    }

    static func integer(_ parameters: [String: JSONValue], _ name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let value = parameters[name] else { return nil }
        guard case .number(let number) = value, number.rounded() == number, range.contains(Int(exactly: number) ?? Int.min) else {
            throw KilnError.invalidArgument("parameters.\(name) must be an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return Int(number)
    }
}

extension ModelConfig {
    /// `[channels, height, width]` of a TorchScript image classifier (one FP32 input
    /// `[-1, C, H, W]` with fixed C, H, W; one output `[-1, classes]`), or nil.
    var imageClassifierShape: [Int]? {
        guard platform == .pytorchLibtorch, inputs.count == 1, inputs[0].datatype == .fp32, inputs[0].shape.count == 4,
              inputs[0].shape[0] == -1, inputs[0].shape.dropFirst().allSatisfy({ $0 > 0 }),
              outputs.count == 1, outputs[0].shape.count == 2 else { return nil }
        return Array(inputs[0].shape.dropFirst())
    }
}
