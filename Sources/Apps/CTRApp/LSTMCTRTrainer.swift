import Foundation
import KilnCore
import KilnJobs
import Torch
import KilnML

/// The seed's `TabularSeqModel` (LSTM over the feature sequence + MLP head) trained with Adam
/// on mini-batches through libtorch. Importance is permutation importance on validation rows.
struct LSTMCTRTrainer: CTRModelTrainer {
    let runtime: @Sendable () throws -> TorchRuntime
    /// Rows used for the per-epoch training accuracy (an evaluation pass over every training
    /// row would cost a third of an epoch).
    static let trainAccuracySample = 4000
    static let permutationRows = 2000

    func train(_ data: CTRTrainingData, config: CTRTrainingConfig, folder: URL, context: JobContext,
               epochDone: (Int, EpochMetrics) async throws -> Bool) async throws -> CTRTrainedModel {
        let runtime = try runtime()
        runtime.manualSeed(config.resolvedSeed)
        let (mean, scale) = TabularSeqModel.standardisation(values: data.values, columns: data.columns, rows: data.trainRows)
        let module = try TabularSeqModel(
            features: data.columns, lstmHidden: config.resolvedLSTMHidden, mlpHidden: config.resolvedMLPHidden, dropout: config.resolvedDropout
        ).build(runtime: runtime, mean: mean, scale: scale, seed: config.resolvedSeed)
        let adam = try TorchAdam(module: module, learningRate: config.resolvedLearningRate)
        let positiveWeight = Tensor.float32([Float(data.positiveWeight)], shape: [1])
        let batchSize = config.resolvedBatchSize
        var generator = SeededGenerator(state: config.resolvedSeed &+ 1)
        let accuracyRows = Array(data.trainRows.shuffled(using: &generator).prefix(Self.trainAccuracySample)).sorted()
        let validation = data.subset(data.validationRows)
        let accuracySet = data.subset(accuracyRows)
        func predict(_ values: [Float]) throws -> [Float] {
            let rows = values.count / data.columns
            var probabilities: [Float] = []
            probabilities.reserveCapacity(rows)
            var start = 0
            while start < rows {
                let end = min(rows, start + 1024)
                let batch = Tensor.float32(Array(values[(start * data.columns)..<(end * data.columns)]), shape: [end - start, data.columns])
                probabilities += try module.forward([batch])[0].float32Values()
                start = end
            }
            return probabilities
        }

        var epochs = 0
        var validationProbabilities: [Float] = []
        var order = data.trainRows
        for epoch in 1...config.resolvedEpochs {
            module.setTraining(true)
            order.shuffle(using: &generator)
            var lossSum = 0.0
            var start = 0
            while start < order.count {
                try context.checkCancellation()
                let rows = order[start..<min(order.count, start + batchSize)]
                let batch = data.subset(rows)
                let loss = try adam.step([.float32(batch.values, shape: [rows.count, data.columns]), .float32(batch.labels, shape: [rows.count]), positiveWeight])
                guard loss.isFinite else { throw JobFailure(code: "diverged", message: "the training loss became \(loss) in epoch \(epoch); lower learning_rate") }
                lossSum += loss * Double(rows.count)
                start += rows.count
                await context.progress((Double(epoch - 1) + Double(start) / Double(order.count)) / Double(config.resolvedEpochs) * 0.9,
                                       "epoch \(epoch)/\(config.resolvedEpochs)")
            }
            module.setTraining(false)
            validationProbabilities = try predict(validation.values)
            let validationMetrics = BinaryMetrics(probabilities: validationProbabilities, labels: validation.labels)
            let trainMetrics = BinaryMetrics(probabilities: try predict(accuracySet.values), labels: accuracySet.labels)
            epochs = epoch
            let metrics: EpochMetrics = [
                // The weighted loss the optimiser minimised, averaged over the epoch's batches.
                "train_loss": lossSum / Double(max(1, order.count)),
                "val_loss": validationMetrics.logLoss,
                "train_accuracy": trainMetrics.accuracy,
                "val_accuracy": validationMetrics.accuracy,
                "val_auc": validationMetrics.auc,
            ]
            if try await epochDone(epoch, metrics) { break }
        }
        // The module is in evaluation mode and unchanged since the last epoch's validation pass.
        let fileName = "model.pt"
        try module.save(to: folder.appendingPathComponent(fileName).path)

        let sampled = Array(data.validationRows.prefix(Self.permutationRows))
        let permutationSet = data.subset(sampled)
        await context.progress(0.9, "permutation importance")
        let importance = try await PermutationImportance.compute(
            values: permutationSet.values, labels: permutationSet.labels, columns: data.columns, predict: predict,
            progress: { share in
                try context.checkCancellation()
                await context.progress(0.9 + 0.1 * share, "permutation importance")
            })
        await context.progress(0.98, "KernelSHAP summary")
        let explainedRows = Array(data.validationRows.prefix(ShapImportance.kernelRows))
        let referenceRows = Array(data.trainRows.prefix(500))
        let shapValues = try ShapImportance.kernel(explained: data.subset(explainedRows).values, reference: data.subset(referenceRows).values,
                                                   columns: data.columns, predict: predict)
        return CTRTrainedModel(platform: "pytorch_libtorch", fileName: fileName, epochs: epochs, validationProbabilities: validationProbabilities,
                               importance: importance, importanceMethod: PermutationImportance.method,
                               shap: ShapImportance.summarise(shapValues, rows: explainedRows.count, columns: data.columns, stride: data.columns),
                               shapMethod: ShapImportance.kernelMethod)
    }
}
