import Foundation
import KilnCore
import KilnJobs

/// The table a CTR training works on, split once (stratified, seeded).
struct CTRTrainingData: Sendable {
    var names: [String]
    /// Row-major, `columns` per row, NaN = missing.
    var values: [Float]
    var labels: [Float]
    var columns: Int
    var trainRows: [Int]
    var validationRows: [Int]
    /// Non-clicks per click in the training rows: clicks are rare (a few percent), so the loss
    /// weights them up rather than learning to answer "no click".
    var positiveWeight: Double

    func subset(_ rows: some Collection<Int>) -> (values: [Float], labels: [Float]) {
        var subset: [Float] = []
        subset.reserveCapacity(rows.count * columns)
        for row in rows { subset += values[(row * columns)..<((row + 1) * columns)] }
        return (subset, rows.map { labels[$0] })
    }
}

/// What a trainer leaves behind: a servable model file and what the reports need.
struct CTRTrainedModel: Sendable {
    /// Kiln's `platform` for the file (`xgboost`, `pytorch_libtorch`).
    var platform: String
    /// The model file, in the folder the trainer was given.
    var fileName: String
    var epochs: Int
    /// Click probabilities for `validationRows`, in order.
    var validationProbabilities: [Float]
    var importance: [FeatureAnalysis.Importance]
    var importanceMethod: String
    /// Mean |SHAP| per feature (`ShapImportance`).
    var shap: [FeatureAnalysis.Importance]
    var shapMethod: String
}

/// Metrics of one epoch, by the names runs record (`train_loss`, `val_auc`, …).
typealias EpochMetrics = [String: Double]

/// A model family the CTR app trains (`config.model`).
protocol CTRModelTrainer: Sendable {
    /// Trains on `data.trainRows`, writing the model into `folder`. `epochDone` is called after
    /// every epoch and answers whether to stop (early stopping).
    func train(_ data: CTRTrainingData, config: CTRTrainingConfig, folder: URL, context: JobContext,
               epochDone: (Int, EpochMetrics) async throws -> Bool) async throws -> CTRTrainedModel
}
