import Foundation
import KilnCore

/// LIME for tabular data, as `lime.lime_tabular.LimeTabularExplainer` does it with its defaults
/// (quartile discretisation, euclidean distance, kernel width 0.75·√M, ridge surrogate):
/// samples are drawn bin by bin with the training frequencies and turned back into values
/// inside their bins; each sample's binary row says which features fall in the instance's bin,
/// its weight is √exp(−d²/width²) of its distance to the instance in that binary space, and a
/// weighted ridge on the binary rows explains the model's output around the instance.
///
/// Like `KernelSHAP` it only plans rows (`rows`) and explains the model's outputs for them.
public struct LIMETabular: Sendable {
    public let discretizer: QuartileDiscretizer
    public let instance: [Float]
    public let sampleCount: Int
    /// `sampleCount × columns` values the model is evaluated on; row 0 is the instance.
    public let evaluationRows: [Float]
    /// `sampleCount × columns`: 1 where the sample is in the instance's bin.
    let binary: [UInt8]
    let instanceBins: [Int]

    public init(discretizer: QuartileDiscretizer, instance: [Float], samples: Int = 5000, seed: UInt64 = 0) {
        let columns = discretizer.features.count
        self.discretizer = discretizer
        self.instance = instance
        sampleCount = max(1, samples)
        var generator = SeededGenerator(state: seed)
        instanceBins = (0..<columns).map { discretizer.bin(Double(instance[$0]), feature: $0) }
        var rows = [Float](repeating: 0, count: sampleCount * columns)
        var binary = [UInt8](repeating: 1, count: sampleCount * columns)
        for feature in 0..<columns { rows[feature] = instance[feature] }
        for sample in 1..<max(1, sampleCount) {
            for feature in 0..<columns {
                let bin = discretizer.sampleBin(feature: feature, using: &generator)
                binary[sample * columns + feature] = bin == instanceBins[feature] ? 1 : 0
                rows[sample * columns + feature] = Float(discretizer.value(feature: feature, bin: bin, using: &generator))
            }
        }
        evaluationRows = rows
        self.binary = binary
    }

    public enum FeatureSelection: String, Sendable, CaseIterable {
        /// forward selection for at most 6 features, else highest weights (LIME's `auto`).
        case auto
        case forwardSelection = "forward_selection"
        case highestWeights = "highest_weights"
        case none
    }

    public struct Explanation: Sendable {
        public struct Weight: Sendable {
            public var feature: Int
            /// The instance's bin, as LIME names it (`2.50 < age <= 4.00`).
            public var condition: String
            public var weight: Double
        }

        /// By |weight|, largest first.
        public var features: [Weight]
        public var intercept: Double
        /// The surrogate's weighted R² on the samples.
        public var r2: Double
        /// The surrogate at the instance, and the model there.
        public var localPrediction: Double
        public var prediction: Double
        public var kernelWidth: Double
    }

    /// - Parameter outputs: the model's output for each sample row.
    public func explain(_ outputs: [Double], features count: Int = 10, selection: FeatureSelection = .auto) -> Explanation {
        precondition(outputs.count == sampleCount, "one output per sample row")
        let columns = discretizer.features.count
        let width = 0.75 * Double(columns).squareRoot()
        var weights = [Double](repeating: 0, count: sampleCount)
        var binaryColumns = [[Double]](repeating: [Double](repeating: 0, count: sampleCount), count: columns)
        for sample in 0..<sampleCount {
            var zeros = 0
            for feature in 0..<columns {
                let value = binary[sample * columns + feature]
                binaryColumns[feature][sample] = Double(value)
                if value == 0 { zeros += 1 }
            }
            weights[sample] = exp(-Double(zeros) / (width * width)).squareRoot()  // d² = number of zeros
        }
        let moments = WeightedMoments(columns: binaryColumns, target: outputs, weights: weights)
        let wanted = min(count, columns)
        let used: [Int]
        switch selection == .auto ? (wanted <= 6 ? .forwardSelection : .highestWeights) : selection {
        case .forwardSelection:
            var chosen: [Int] = []
            for _ in 0..<wanted {
                // The first feature with the highest score wins ties, as in LIME.
                let scored = (0..<columns).filter { !chosen.contains($0) }.map { ($0, moments.fit(chosen + [$0], alpha: 0).r2) }
                if let best = scored.max(by: { $0.1 < $1.1 }) { chosen.append(best.0) }
            }
            used = chosen
        case .highestWeights:
            let all = moments.fit(Array(0..<columns), alpha: 0.01)
            used = Array((0..<columns).sorted { abs(all.coefficients[$0]) > abs(all.coefficients[$1]) }.prefix(wanted))
        case .none, .auto:
            used = Array(0..<columns)
        }
        let surrogate = moments.fit(used, alpha: 1)
        let ones = [Double](repeating: 1, count: columns)  // the instance's binary row
        let weightsByFeature = zip(surrogate.features, surrogate.coefficients).map { feature, weight in
            Explanation.Weight(feature: feature, condition: discretizer.condition(feature: feature, bin: instanceBins[feature]), weight: weight)
        }.sorted { abs($0.weight) > abs($1.weight) }
        return Explanation(features: weightsByFeature, intercept: surrogate.intercept, r2: surrogate.r2,
                           localPrediction: surrogate.predict(ones), prediction: outputs[0], kernelWidth: width)
    }
}
