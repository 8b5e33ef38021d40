import Foundation
import KilnCore
import KilnJobs
import KilnStore
import KilnTracking
import Torch
import XGBoost

/// `POST /api/train`'s `config`. Names and defaults follow the seed (`batch_size` 4096,
/// `learning_rate` 0.001, `lstm_hidden` 64, `mlp_hidden` [256, 128], `dropout` 0.2).
public struct CTRTrainingConfig: Codable, Sendable {
    /// Training epochs; for XGBoost, boosting rounds.
    public var epochs: Int?
    public var batchSize: Int?
    public var learningRate: Double?
    public var lstmHidden: Int?
    public var mlpHidden: [Int]?
    public var dropout: Double?
    /// `lstm` (default, the seed's TabularSeqModel) or `xgboost`.
    public var model: String?
    /// Tree depth for XGBoost.
    public var maxDepth: Int?
    /// Stop when the validation loss has not improved for this many epochs.
    public var earlyStoppingRounds: Int?
    /// The registered (and served) model the trained version is added to; default `ctr_<model>`.
    public var modelName: String?
    /// Seed of the split-independent randomness (initial weights, batch order, dropout).
    public var seed: UInt64?

    public init() {}

    static let models = ["lstm", "xgboost"]
    var resolvedModel: String { model ?? "lstm" }
    var resolvedEpochs: Int { epochs ?? 10 }
    var resolvedLearningRate: Double { learningRate ?? (resolvedModel == "xgboost" ? 0.1 : 0.001) }
    var resolvedMaxDepth: Int { maxDepth ?? 6 }
    var resolvedBatchSize: Int { batchSize ?? 4096 }
    var resolvedLSTMHidden: Int { lstmHidden ?? 64 }
    var resolvedMLPHidden: [Int] { mlpHidden ?? [256, 128] }
    var resolvedDropout: Double { dropout ?? 0.2 }
    var resolvedSeed: UInt64 { seed ?? 42 }
    var resolvedModelName: String { modelName ?? "ctr_\(resolvedModel)" }

    func validate() throws {
        guard Self.models.contains(resolvedModel) else {
            throw KilnError.invalidArgument("config.model must be one of \(Self.models.joined(separator: ", ")), not '\(resolvedModel.prefix(32))'")
        }
        guard (1...2000).contains(resolvedEpochs) else { throw KilnError.invalidArgument("config.epochs must be between 1 and 2000") }
        guard resolvedLearningRate > 0, resolvedLearningRate <= 1 else { throw KilnError.invalidArgument("config.learning_rate must be in (0, 1]") }
        guard (1...16).contains(resolvedMaxDepth) else { throw KilnError.invalidArgument("config.max_depth must be between 1 and 16") }
        if let rounds = earlyStoppingRounds, !(1...2000).contains(rounds) { throw KilnError.invalidArgument("config.early_stopping_rounds must be between 1 and 2000") }
        // Up to 2^53 − 1: larger integers do not survive a round trip through a JSON number.
        if let seed, seed > 9_007_199_254_740_991 { throw KilnError.invalidArgument("config.seed must be between 0 and 2^53 − 1") }
        guard (1...65536).contains(resolvedBatchSize) else { throw KilnError.invalidArgument("config.batch_size must be between 1 and 65536") }
        guard (1...1024).contains(resolvedLSTMHidden) else { throw KilnError.invalidArgument("config.lstm_hidden must be between 1 and 1024") }
        guard resolvedMLPHidden.count <= 8, resolvedMLPHidden.allSatisfy({ (1...4096).contains($0) }) else {
            throw KilnError.invalidArgument("config.mlp_hidden must list at most 8 layer widths, each between 1 and 4096")
        }
        guard (0..<1).contains(resolvedDropout) else { throw KilnError.invalidArgument("config.dropout must be in [0, 1)") }
    }
}

/// Splits row indices into training and validation sets with the same share of clicks in
/// each (stratified), shuffled with a fixed seed so that a run can be repeated.
enum StratifiedSplit {
    static func split(labels: [Float], validationShare: Double, seed: UInt64) -> (train: [Int], validation: [Int]) {
        var generator = SeededGenerator(state: seed)
        var train: [Int] = [], validation: [Int] = []
        for label in [Float(0), 1] {
            var indices = labels.indices.filter { labels[$0] == label }
            indices.shuffle(using: &generator)
            let count = Int((Double(indices.count) * validationShare).rounded())
            validation += indices.prefix(count)
            train += indices.dropFirst(count)
        }
        return (train.sorted(), validation.sorted())
    }
}

/// The `ctr.train` job: trains on an uploaded table, records every epoch in the run's metrics
/// (and on the training feed), stores the model and the reports' analysis as the run's
/// artifacts and registers the model, which makes Kiln serve it.
public struct CTRTrainingJob: JobHandler {
    public static let kind = "ctr.train"

    public struct Parameters: Codable, Sendable {
        public var runId: String
        public var fileId: String
        public var config: CTRTrainingConfig
    }

    public struct Output: Codable, Sendable {
        public var runId: String
        public var modelName: String
        public var modelVersion: String
        public var epochs: Int
    }

    let tracking: TrackingService
    let registry: RegistryService
    let artifacts: ArtifactService
    let files: CTRFileRepository
    let feed: TrainingFeed
    let trainers: [String: any CTRModelTrainer]

    public init(tracking: TrackingService, registry: RegistryService, artifacts: ArtifactService, files: CTRFileRepository,
                feed: TrainingFeed, xgboost: @escaping @Sendable () throws -> XGBoostLibrary,
                torch: @escaping @Sendable () throws -> TorchRuntime) {
        self.tracking = tracking
        self.registry = registry
        self.artifacts = artifacts
        self.files = files
        self.feed = feed
        trainers = ["xgboost": XGBoostCTRTrainer(library: xgboost), "lstm": LSTMCTRTrainer(runtime: torch)]
    }

    public func run(_ parameters: Parameters, context: JobContext) async throws -> Output {
        do {
            let output = try await train(parameters, context: context)
            _ = try await tracking.updateRun(id: parameters.runId, status: .finished, endTime: epochMilliseconds(), name: nil)
            let run = try? await tracking.run(id: parameters.runId)
            let seq = feed.publish(runID: parameters.runId, type: "training_complete", [
                "metrics": CTRService.latestMetrics(run?.metrics ?? []),
                "model_name": .string(output.modelName), "model_version": .string(output.modelVersion),
            ])
            try? await recordTerminalSeq(seq, runID: parameters.runId)
            return output
        } catch {
            _ = try? await tracking.updateRun(id: parameters.runId, status: .failed, endTime: epochMilliseconds(), name: nil)
            let message = (error as? JobFailure)?.message ?? (error is CancellationError ? "cancelled" : "\(error)")
            let seq = feed.publish(runID: parameters.runId, type: "training_failed", ["error": .string(message)])
            try? await recordTerminalSeq(seq, runID: parameters.runId)
            throw error
        }
    }

    /// So that a client reconnecting with `since` past the end is not sent the end again.
    private func recordTerminalSeq(_ seq: Int, runID: String) async throws {
        try await tracking.logBatch(runID: runID, tags: [TrackingTag(key: TrainingFeed.seqTag, value: String(seq))])
    }

    private func log(_ runID: String, _ line: TrainingLog) {
        feed.publish(runID: runID, type: "log", ["message": .string(line.korean), "message_en": .string(line.english)])
    }

    private func train(_ parameters: Parameters, context: JobContext) async throws -> Output {
        let config = parameters.config
        let runID = parameters.runId
        guard let file = try await files.find(id: parameters.fileId) else {
            throw JobFailure(code: "file_missing", message: "uploaded file \(parameters.fileId) is gone")
        }
        guard let trainer = trainers[config.resolvedModel] else {
            throw JobFailure(code: "unknown_model", message: "no trainer for '\(config.resolvedModel)'")
        }
        log(runID, .loading(file: file.filename))
        let dataset = try CTRDataset(csv: try context.input(file.sha256))
        let (values, labels, columns) = try dataset.matrix()
        let (trainRows, validationRows) = StratifiedSplit.split(labels: labels, validationShare: 0.2, seed: 42)
        let positives = trainRows.reduce(0.0) { $0 + Double(labels[$1]) }
        let data = CTRTrainingData(
            names: dataset.featureNames, values: values, labels: labels, columns: columns, trainRows: trainRows,
            validationRows: validationRows, positiveWeight: positives > 0 ? (Double(trainRows.count) - positives) / positives : 1)
        try await tracking.logBatch(runID: runID, params: [
            TrackingTag(key: "train_rows", value: String(trainRows.count)),
            TrackingTag(key: "validation_rows", value: String(validationRows.count)),
            TrackingTag(key: "pos_weight", value: String(format: "%.4f", data.positiveWeight)),
        ])
        log(runID, .training(model: config.resolvedModel, rows: trainRows.count, validationRows: validationRows.count))

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-ctr-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let epochs = config.resolvedEpochs
        var bestLoss = Double.infinity, bestEpoch = 0
        let trained = try await trainer.train(data, config: config, folder: folder, context: context) { epoch, metrics in
            let now = epochMilliseconds()
            try await tracking.logBatch(runID: runID, metrics: metrics.sorted { $0.key < $1.key }.map {
                Metric(key: $0.key, value: $0.value, timestamp: now, step: Int64(epoch))
            })
            feed.publish(runID: runID, type: "epoch_update", [
                "epoch": .int(epoch), "total_epochs": .int(epochs), "metrics": .object(metrics.mapValues(JSONValue.number)),
            ])
            log(runID, .epochDone(epoch, of: epochs))
            await context.progress(Double(epoch) / Double(epochs) * 0.9, "epoch \(epoch)/\(epochs)")
            let loss = metrics["val_loss"] ?? .infinity
            if loss < bestLoss { bestLoss = loss; bestEpoch = epoch }
            if let patience = config.earlyStoppingRounds, epoch - bestEpoch >= patience {
                log(runID, .earlyStopping(patience: patience))
                return true
            }
            return false
        }

        // The model and its Kiln config become the run's `model/` artifacts, then a registry version.
        let servingConfig: JSONValue = .object([
            "platform": .string(trained.platform),
            "inputs": .array([.object(["name": "features", "datatype": "FP32", "shape": .array([-1, .int(columns)])])]),
            "outputs": .array([.object(["name": "probability", "datatype": "FP32", "shape": .array([-1])])]),
            "max_batch_size": 256,
            "dynamic_batching": .object(["max_queue_delay_us": 200]),
            "metadata": .object([
                "description": .string("CTR classifier (\(config.resolvedModel)) trained by Kiln from \(file.filename); a demo model"),
                "feature_names": .array(dataset.featureNames.map(JSONValue.string)),
                "run_id": .string(runID),
            ]),
        ])
        let run = try await tracking.runInfo(id: runID)
        guard let root = try ArtifactService.path(ofURI: run.artifactURI) else {
            throw JobFailure(code: "artifact_location", message: "run \(runID) stores artifacts outside Kiln (\(run.artifactURI))")
        }
        _ = try await artifacts.put(path: "\(root)/model/\(trained.fileName)", body: FileChunks(url: folder.appendingPathComponent(trained.fileName)))
        _ = try await artifacts.put(path: "\(root)/model/config.json", body: SingleChunk(bytes: servingConfig.jsonBytes))
        log(runID, .analysingFeatures)
        await context.progress(0.95, "analysing features")
        let analysis = FeatureAnalysis.compute(names: dataset.featureNames, importance: trained.importance, method: trained.importanceMethod,
                                               values: values, labels: labels, shap: trained.shap, shapMethod: trained.shapMethod)
        let evaluation = CTREvaluation(probabilities: trained.validationProbabilities, labels: validationRows.map { labels[$0] })
        _ = try await artifacts.put(path: "\(root)/\(CTRService.analysisArtifact)", body: SingleChunk(bytes: Array(try JSONEncoder().encode(analysis))))
        _ = try await artifacts.put(path: "\(root)/\(CTRService.evaluationArtifact)", body: SingleChunk(bytes: Array(try JSONEncoder().encode(evaluation))))
        try await tracking.logBatch(runID: runID, metrics: [
            Metric(key: "val_precision", value: evaluation.metrics.precision, timestamp: epochMilliseconds(), step: Int64(trained.epochs)),
            Metric(key: "val_recall", value: evaluation.metrics.recall, timestamp: epochMilliseconds(), step: Int64(trained.epochs)),
            Metric(key: "val_f1", value: evaluation.metrics.f1Score, timestamp: epochMilliseconds(), step: Int64(trained.epochs)),
        ])

        let name = config.resolvedModelName
        do {
            _ = try await registry.createRegisteredModel(name: name, description: "CTR models trained by Kiln", tags: [])
        } catch let error as KilnError where error.code == .conflict {}
        let version = try await registry.createModelVersion(
            name: name, source: "\(run.artifactURI)/model", runID: runID, description: "", tags: [], userID: context.job.owner)
        try await tracking.logBatch(runID: runID, tags: [
            TrackingTag(key: "kiln.model_name", value: name), TrackingTag(key: "kiln.model_version", value: String(version.version.version)),
        ])
        return Output(runId: runID, modelName: name, modelVersion: String(version.version.version), epochs: trained.epochs)
    }
}
