import KilnCore

/// What `/explain` answers (and an `explain` job stores): the method and every parameter that
/// shaped the result, the output explained, and one explanation per input row. Keys are written
/// in snake_case.
public struct ExplainAnswer: Codable, Sendable, Equatable {
    public struct Output: Codable, Sendable, Equatable {
        public var name: String
        /// The output column explained.
        public var index: Int
        public var label: String?
        /// `probability`/`output` (the model's output as served) or `margin` (TreeSHAP: raw log-odds).
        public var space: String
    }

    public struct Parameters: Codable, Sendable, Equatable {
        public var samples: Int?
        public var seed: UInt64?
        /// Where the background came from: `reference` (the version's `reference.json`) or `request`.
        public var background: String?
        /// How it was reduced (`kmeans`, `sample`, `all`) and to how many rows.
        public var backgroundSummary: String?
        public var backgroundRows: Int?
        public var numFeatures: Int?
        public var featureSelection: String?
        public var kernelWidth: Double?
        /// KernelSHAP: `trees` (coalition values from the XGBoost model's own trees, checked
        /// against XGBoost on the instance and background rows) or `model` (every row run).
        public var evaluator: String?
    }

    public struct Weight: Codable, Sendable, Equatable {
        public var feature: String
        public var index: Int
        /// LIME: the instance's bin the weight belongs to.
        public var condition: String?
        public var weight: Double
    }

    public struct Explanation: Codable, Sendable, Equatable {
        /// The model's output for the row (in `output.space`).
        public var prediction: Double
        /// SHAP: E[f(background)]; LIME: the surrogate's intercept; permutation: f(x); grad_cam: none.
        public var baseValue: Double?
        /// SHAP and permutation: one value per feature, in `feature_names` order.
        public var values: [Double]?
        /// Features by |weight|, largest first (LIME's top features; the SHAP values sorted).
        public var top: [Weight]
        /// SHAP: |base + Σφ − prediction|.
        public var additivityError: Double?
        /// KernelSHAP: weighted RMS error of the additive fit over the sampled coalitions;
        /// LIME: 1 − R² of the surrogate.
        public var fitError: Double?
        /// LIME: the surrogate's weighted R² and its prediction at the instance.
        public var r2: Double?
        public var localPrediction: Double?
        /// grad_cam: the map over the image.
        public var heatmap: Heatmap?
    }

    public struct Heatmap: Codable, Sendable, Equatable {
        /// `grad-cam`, or `saliency` for a module without the `(logits, feature_map)` method.
        public var method: String
        /// At the feature map's resolution (Grad-CAM) or the input's (saliency); 0…1, peak 1.
        public var width: Int
        public var height: Int
        public var values: [[Double]]
    }

    public var modelName: String
    public var modelVersion: String
    public var method: String
    public var parameters: Parameters
    public var output: Output
    public var featureNames: [String]
    public var explanations: [Explanation]
}
