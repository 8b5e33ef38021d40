import KilnCore
import KilnML

/// A percentile bootstrap over rows with the same draws for every feature, so that the features'
/// intervals are comparable (permutation importance, mean |SHAP|): each resample draws the rows
/// with replacement, and a feature's 95% interval is the 2.5th–97.5th percentile of its resampled means.
struct RowBootstrap {
    let rows: Int
    let draws: [[Int]]

    init(rows: Int, resamples: Int, using generator: inout SeededGenerator) {
        self.rows = rows
        draws = (0..<resamples).map { _ in (0..<rows).map { _ in Int.random(in: 0..<rows, using: &generator) } }
    }

    /// The mean of one value per row, with its interval.
    func importance(_ perRow: [Double]) -> FeatureAnalysis.Importance {
        let mean = perRow.reduce(0, +) / Double(max(rows, 1))
        let means = draws.map { draw in draw.reduce(0.0) { $0 + perRow[$1] } / Double(max(rows, 1)) }.sorted()
        let ci = means.isEmpty ? [mean, mean] : [Percentile.linear(means, 0.025), Percentile.linear(means, 0.975)]
        return FeatureAnalysis.Importance(value: mean, ci: ci)
    }
}
