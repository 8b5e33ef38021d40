import Foundation
import KilnCore
import KilnML

/// Permutation importance for models without a built-in measure (the LSTM): how much the
/// validation log loss rises when one feature's values are shuffled across rows, breaking its
/// link to the label while keeping its distribution.
///
/// The 95% interval is a percentile bootstrap over rows of the per-row loss increase (the
/// shuffle is done once per feature; resampling rows needs no further model calls).
enum PermutationImportance {
    static let method = "permutation: rise in validation log loss when the feature is shuffled (one seeded shuffle, up to 2000 rows); 95% CI: percentile bootstrap over rows (500 resamples)"

    /// - Parameters:
    ///   - values: row-major, `columns` per row.
    ///   - predict: click probabilities for row-major rows.
    ///   - progress: called after each feature with the share done.
    static func compute(values: [Float], labels: [Float], columns: Int, seed: UInt64 = 11, resamples: Int = 500,
                        predict: ([Float]) throws -> [Float], progress: (Double) async throws -> Void) async throws -> [FeatureAnalysis.Importance] {
        let rows = labels.count
        let base = try predict(values)
        let baseLoss = zip(base, labels).map { BinaryMetrics.logLoss(probability: $0, label: $1) }
        var generator = SeededGenerator(state: seed)
        let bootstrap = RowBootstrap(rows: rows, resamples: resamples, using: &generator)
        var result: [FeatureAnalysis.Importance] = []
        for feature in 0..<columns {
            var shuffled = values
            var order = Array(0..<rows)
            order.shuffle(using: &generator)
            for row in 0..<rows { shuffled[row * columns + feature] = values[order[row] * columns + feature] }
            let permuted = try predict(shuffled)
            let rise = (0..<rows).map { BinaryMetrics.logLoss(probability: permuted[$0], label: labels[$0]) - baseLoss[$0] }
            result.append(bootstrap.importance(rise))
            try await progress(Double(feature + 1) / Double(columns))
        }
        return result
    }
}
