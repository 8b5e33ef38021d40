import Foundation
import KilnML

/// How a trained model ranks the held-out validation rows, stored with the run
/// (`reports/evaluation.json`) for `/api/performance` and the AI report.
struct CTREvaluation: Codable, Sendable {
    /// One tenth of the validation rows, by predicted click probability (highest first).
    struct Decile: Codable, Sendable {
        var rows: Int
        var clicks: Int
        var ctr: Double
        /// This decile's CTR over the validation rows' CTR.
        var lift: Double
    }

    var metrics: BinaryMetrics
    var rows: Int
    var clicks: Int
    var baseCTR: Double
    var deciles: [Decile]

    init(probabilities: [Float], labels: [Float]) {
        metrics = BinaryMetrics(probabilities: probabilities, labels: labels)
        rows = labels.count
        clicks = Int(labels.reduce(0, +))
        baseCTR = rows > 0 ? Double(clicks) / Double(rows) : 0
        // Ties keep row order so that the split is deterministic.
        let order = probabilities.indices.sorted { probabilities[$0] > probabilities[$1] || (probabilities[$0] == probabilities[$1] && $0 < $1) }
        var deciles: [Decile] = []
        for decile in 0..<10 where rows >= 10 {
            let slice = order[(decile * rows / 10)..<((decile + 1) * rows / 10)]
            let sliceClicks = slice.reduce(0) { $0 + Int(labels[$1]) }
            let ctr = slice.isEmpty ? 0 : Double(sliceClicks) / Double(slice.count)
            deciles.append(Decile(rows: slice.count, clicks: sliceClicks, ctr: ctr, lift: baseCTR > 0 ? ctr / baseCTR : 0))
        }
        self.deciles = deciles
    }

    /// CTR of the top decile over the average: how many more clicks per impression targeting
    /// the model's top 10% brings than showing the ad to a random 10%.
    var topDecileLift: Double { deciles.first?.lift ?? 1 }
}
