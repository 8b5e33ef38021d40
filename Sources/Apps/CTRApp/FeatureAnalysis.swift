import Foundation
import KilnCore
import KilnML

/// Per-feature statistics for the CTR reports, computed once when training ends and stored with
/// the run (`reports/analysis.json`).
///
/// - importance and ci: from the trainer — XGBoost's gain share with a tree bootstrap
///   (`gainImportance`), or permutation importance for the LSTM (`PermutationImportance`);
///   `importanceMethod` says which;
/// - pValue: two-sided Mann–Whitney U test of the feature's values between clicked and
///   not-clicked rows (normal approximation with tie correction; missing values left out).
///   A rank test because CTR features are rarely normal; `welchPValue` is Welch's t-test on
///   the same groups (the seed's t-test), beside it;
/// - isSignificant: the Mann–Whitney p-value below 0.05 / (number of features) (Bonferroni),
///   so that a noise column is flagged with probability ≤ 5% over the whole table;
/// - meanAbsShap and shapCi: mean |SHAP| over validation rows (TreeSHAP for XGBoost runs,
///   KernelSHAP for LSTM runs), `shapMethod` says how.
/// - correlation: Pearson's r between features over rows where both are present.
public struct FeatureAnalysis: Codable, Sendable {
    public struct Feature: Codable, Sendable {
        public var feature: String
        public var importance: Double
        public var ci: [Double]
        public var pValue: Double
        // Optional: analyses stored before these existed decode without them.
        public var welchPValue: Double?
        public var isSignificant: Bool?
        public var meanAbsShap: Double?
        public var shapCi: [Double]?
    }

    /// A feature's importance with its 95% interval.
    public struct Importance: Sendable {
        public var value: Double
        public var ci: [Double]
    }

    public var features: [Feature]
    public var correlation: [[Double]]
    public var test: String
    public var importanceMethod: String?
    public var significance: String?
    public var shapMethod: String?

    static let testName = "two-sided Mann-Whitney U (normal approximation, tie-corrected)"
    static let significanceLevel = 0.05
    static func significanceRule(features: Int) -> String {
        "Mann-Whitney p < \(significanceLevel) / \(features) (Bonferroni over the \(features) features); Welch's t-test p-value reported beside it"
    }
    static let gainMethod = "share of XGBoost total_gain; 95% CI: percentile bootstrap over the ensemble's trees (1000 resamples)"

    /// - Parameters:
    ///   - importance: one entry per feature, in `names` order.
    ///   - values: row-major feature values (NaN = missing); `labels` 0/1.
    public static func compute(names: [String], importance: [Importance], method: String, values: [Float], labels: [Float],
                               shap: [Importance]? = nil, shapMethod: String? = nil) -> FeatureAnalysis {
        let columns = names.count
        let threshold = significanceLevel / Double(max(1, columns))
        var features: [Feature] = []
        for feature in 0..<columns {
            var clicked: [Double] = [], other: [Double] = []
            for row in labels.indices {
                let value = values[row * columns + feature]
                guard !value.isNaN else { continue }
                if labels[row] == 1 { clicked.append(Double(value)) } else { other.append(Double(value)) }
            }
            let pValue = TwoSampleTests.mannWhitneyU(clicked, other)
            features.append(Feature(feature: names[feature], importance: importance[feature].value, ci: importance[feature].ci,
                                    pValue: pValue, welchPValue: TwoSampleTests.welchT(clicked, other).pValue,
                                    isSignificant: pValue < threshold, meanAbsShap: shap?[feature].value, shapCi: shap?[feature].ci))
        }
        return FeatureAnalysis(features: features, correlation: Self.pearson(values: values, columns: columns), test: testName,
                               importanceMethod: method, significance: significanceRule(features: columns),
                               shapMethod: shap == nil ? nil : shapMethod)
    }

    /// Each feature's share of the model's total split gain (XGBoost's `total_gain`, normalised
    /// to sum to 1), with a 95% percentile bootstrap interval from resampling the ensemble's
    /// trees with replacement (fixed seed) — how much the share depends on particular trees.
    public static func gainImportance(modelJSON: Data, features columns: Int, resamples: Int = 1000) throws -> [Importance] {
        let treeGains = try Self.treeGains(modelJSON: modelJSON, features: columns)
        let importance = Self.share(treeGains.indices.map { $0 }, gains: treeGains, features: columns)
        var generator = SeededGenerator(state: 7)
        var samples = [[Double]](repeating: [], count: columns)
        if !treeGains.isEmpty {
            for _ in 0..<resamples {
                let pick = (0..<treeGains.count).map { _ in Int.random(in: 0..<treeGains.count, using: &generator) }
                let resampled = Self.share(pick, gains: treeGains, features: columns)
                for feature in 0..<columns { samples[feature].append(resampled[feature]) }
            }
        }
        return (0..<columns).map { feature in
            let sorted = samples[feature].sorted()
            let value = importance[feature]
            return Importance(value: value, ci: sorted.isEmpty ? [value, value] : [Percentile.linear(sorted, 0.025), Percentile.linear(sorted, 0.975)])
        }
    }

    /// Gain per feature, per tree, from XGBoost's JSON model.
    static func treeGains(modelJSON: Data, features: Int) throws -> [[Double]] {
        let model: XGBoostModelJSON
        do {
            model = try JSONDecoder().decode(XGBoostModelJSON.self, from: modelJSON)
        } catch {
            throw KilnError(.internal, "cannot read the trees of the trained model: \(error)")
        }
        return model.trees.map { tree in
            var gains = [Double](repeating: 0, count: features)
            for node in tree.left_children.indices where tree.left_children[node] != -1 {
                let feature = Int(tree.split_indices[node])
                if feature < features { gains[feature] += tree.loss_changes[node] }
            }
            return gains
        }
    }

    static func share(_ trees: [Int], gains: [[Double]], features: Int) -> [Double] {
        var totals = [Double](repeating: 0, count: features)
        for tree in trees { for feature in 0..<features { totals[feature] += gains[tree][feature] } }
        let sum = totals.reduce(0, +)
        return sum > 0 ? totals.map { $0 / sum } : totals
    }

    /// Pearson's r for every pair of columns, over rows where both are present; 0 for a constant column.
    static func pearson(values: [Float], columns: Int) -> [[Double]] {
        let rows = columns == 0 ? 0 : values.count / columns
        var matrix = [[Double]](repeating: [Double](repeating: 0, count: columns), count: columns)
        for i in 0..<columns {
            matrix[i][i] = 1
            for j in (i + 1)..<max(i + 1, columns) {
                var n = 0.0, sx = 0.0, sy = 0.0, sxx = 0.0, syy = 0.0, sxy = 0.0
                for row in 0..<rows {
                    let x = values[row * columns + i], y = values[row * columns + j]
                    guard !x.isNaN, !y.isNaN else { continue }
                    let dx = Double(x), dy = Double(y)
                    n += 1; sx += dx; sy += dy; sxx += dx * dx; syy += dy * dy; sxy += dx * dy
                }
                let cov = sxy - sx * sy / max(n, 1)
                let vx = sxx - sx * sx / max(n, 1), vy = syy - sy * sy / max(n, 1)
                let r = vx > 0 && vy > 0 ? cov / (vx * vy).squareRoot() : 0
                matrix[i][j] = r
                matrix[j][i] = r
            }
        }
        return matrix
    }
}
