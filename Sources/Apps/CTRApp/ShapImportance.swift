import Foundation
import KilnCore
import KilnML

/// Mean |SHAP| per feature over validation rows, with a 95% percentile bootstrap interval over
/// rows (the same seeded draws for every feature): TreeSHAP for XGBoost runs (exact, log-odds),
/// KernelSHAP for LSTM runs (sampled, probability), both from `KilnML`.
enum ShapImportance {
    static let treeRows = 2000
    static let kernelRows = 16
    static let kernelBackground = 10
    static let kernelSamples = 256

    static let treeMethod = "mean |SHAP|: exact TreeSHAP (XGBoost pred_contribs, log-odds units) over up to \(treeRows) validation rows; 95% CI: percentile bootstrap over rows (500 resamples)"
    static let kernelMethod = "mean |SHAP|: KernelSHAP (\(kernelSamples) coalitions, \(kernelBackground) background rows sampled from the training rows, click-probability units) over \(kernelRows) validation rows; 95% CI: percentile bootstrap over rows (500 resamples)"

    /// - Parameter contributions: `rows × stride` values, the first `columns` of each row are φ.
    static func summarise(_ contributions: [Float], rows: Int, columns: Int, stride: Int, seed: UInt64 = 13,
                          resamples: Int = 500) -> [FeatureAnalysis.Importance] {
        var generator = SeededGenerator(state: seed)
        let bootstrap = RowBootstrap(rows: rows, resamples: resamples, using: &generator)
        return (0..<columns).map { feature in
            bootstrap.importance((0..<rows).map { abs(Double(contributions[$0 * stride + feature])) })
        }
    }

    /// KernelSHAP of `explained` rows against a sample of `reference` rows; returns
    /// `rows × columns` values.
    static func kernel(explained: [Float], reference: [Float], columns: Int, seed: UInt64 = 17,
                       predict: ([Float]) throws -> [Float]) throws -> [Float] {
        // Sampled rather than k-means: CTR tables have missing values (NaN), which k-means cannot average.
        let background = BackgroundSummary.sample(reference, rows: reference.count / columns, columns: columns,
                                                  count: kernelBackground, seed: seed)
        var values: [Float] = []
        for row in 0..<(explained.count / columns) {
            let plan = KernelSHAP(instance: Array(explained[(row * columns)..<((row + 1) * columns)]), background: background,
                                  samples: kernelSamples, seed: seed &+ UInt64(row))
            let outputs = try predict(plan.rows(0..<plan.rowCount)).map(Double.init)
            values += plan.explain(outputs).values.map(Float.init)
        }
        return values
    }
}
