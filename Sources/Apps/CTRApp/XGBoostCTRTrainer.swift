import Foundation
import KilnCore
import KilnJobs
import XGBoost

/// Gradient-boosted trees; one boosting round per epoch. Importance is the gain share.
struct XGBoostCTRTrainer: CTRModelTrainer {
    let library: @Sendable () throws -> XGBoostLibrary

    func train(_ data: CTRTrainingData, config: CTRTrainingConfig, folder: URL, context: JobContext,
               epochDone: (Int, EpochMetrics) async throws -> Bool) async throws -> CTRTrainedModel {
        let library = try library()
        let trainSet = data.subset(data.trainRows), validationSet = data.subset(data.validationRows)
        let train = XGBoostTrainer.DataSet(values: trainSet.values, labels: trainSet.labels, columns: data.columns)
        let validation = XGBoostTrainer.DataSet(values: validationSet.values, labels: validationSet.labels, columns: data.columns)
        let trainer = try XGBoostTrainer(
            library: library, train: train, evaluation: [("train", train), ("validation", validation)],
            parameters: [
                ("objective", "binary:logistic"), ("eval_metric", "logloss"), ("eval_metric", "auc"), ("eval_metric", "error"),
                ("eta", String(config.resolvedLearningRate)), ("max_depth", String(config.resolvedMaxDepth)),
                ("scale_pos_weight", String(data.positiveWeight)), ("seed", "0"), ("nthread", "1"),
            ])
        var epochs = 0
        for epoch in 1...config.resolvedEpochs {
            try context.checkCancellation()
            let evaluation = try trainer.boost(round: epoch - 1)
            epochs = epoch
            var metrics: EpochMetrics = [:]
            metrics["train_loss"] = evaluation["train-logloss"]
            metrics["val_loss"] = evaluation["validation-logloss"]
            metrics["train_accuracy"] = evaluation["train-error"].map { 1 - $0 }
            metrics["val_accuracy"] = evaluation["validation-error"].map { 1 - $0 }
            metrics["val_auc"] = evaluation["validation-auc"]
            if try await epochDone(epoch, metrics) { break }
        }
        let fileName = "model.json"
        let file = folder.appendingPathComponent(fileName)
        try trainer.save(to: file)
        let model = try XGBoostModel(path: file.path, library: library, threads: 1)
        let probabilities = try model.predict(validation.values, rows: validation.rows, columns: data.columns).values
        let explained = min(validation.rows, ShapImportance.treeRows)
        let contributions = try model.predict(Array(validation.values.prefix(explained * data.columns)), rows: explained,
                                              columns: data.columns, kind: .contributions).values
        return CTRTrainedModel(
            platform: "xgboost", fileName: fileName, epochs: epochs, validationProbabilities: probabilities,
            importance: try FeatureAnalysis.gainImportance(modelJSON: Data(contentsOf: file), features: data.columns),
            importanceMethod: FeatureAnalysis.gainMethod,
            shap: ShapImportance.summarise(contributions, rows: explained, columns: data.columns, stride: data.columns + 1),
            shapMethod: ShapImportance.treeMethod)
    }
}
