import Foundation
import KilnCore
import KilnJobs
import KilnStore
import KilnTracking
import XGBoost

/// `POST /api/train`'s `config`. Names follow the seed (`batch_size`, `learning_rate`, …).
public struct CTRTrainingConfig: Codable, Sendable {
    /// Training epochs; for XGBoost, boosting rounds.
    public var epochs: Int?
    public var batchSize: Int?
    public var learningRate: Double?
    public var lstmHidden: Int?
    public var mlpHidden: [Int]?
    public var dropout: Double?
    /// `xgboost` (the LSTM trainer is not built yet).
    public var model: String?
    /// Tree depth for XGBoost.
    public var maxDepth: Int?
    /// Stop when the validation loss has not improved for this many epochs.
    public var earlyStoppingRounds: Int?
    /// The registered (and served) model the trained version is added to; default `ctr_<model>`.
    public var modelName: String?

    public init() {}

    var resolvedModel: String { model ?? "xgboost" }
    var resolvedEpochs: Int { epochs ?? 10 }
    var resolvedLearningRate: Double { learningRate ?? 0.1 }
    var resolvedMaxDepth: Int { maxDepth ?? 6 }
    var resolvedModelName: String { modelName ?? "ctr_\(resolvedModel)" }

    func validate() throws {
        guard resolvedModel == "xgboost" else {
            throw KilnError.invalidArgument("config.model '\(resolvedModel.prefix(32))' is not available: this build trains 'xgboost' (the LSTM trainer is not built yet)")
        }
        guard (1...2000).contains(resolvedEpochs) else { throw KilnError.invalidArgument("config.epochs must be between 1 and 2000") }
        guard resolvedLearningRate > 0, resolvedLearningRate <= 1 else { throw KilnError.invalidArgument("config.learning_rate must be in (0, 1]") }
        guard (1...16).contains(resolvedMaxDepth) else { throw KilnError.invalidArgument("config.max_depth must be between 1 and 16") }
        if let rounds = earlyStoppingRounds, rounds < 1 { throw KilnError.invalidArgument("config.early_stopping_rounds must be positive") }
        if let batchSize, batchSize < 1 { throw KilnError.invalidArgument("config.batch_size must be positive") }
        if let dropout, !(0..<1).contains(dropout) { throw KilnError.invalidArgument("config.dropout must be in [0, 1)") }
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

/// The `ctr.train` job: trains on an uploaded table, records every epoch in the run's metrics,
/// stores the model as the run's artifacts and registers it, which makes Kiln serve it.
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
    let xgboost: @Sendable () throws -> XGBoostLibrary

    public init(tracking: TrackingService, registry: RegistryService, artifacts: ArtifactService, files: CTRFileRepository,
                xgboost: @escaping @Sendable () throws -> XGBoostLibrary) {
        self.tracking = tracking
        self.registry = registry
        self.artifacts = artifacts
        self.files = files
        self.xgboost = xgboost
    }

    public func run(_ parameters: Parameters, context: JobContext) async throws -> Output {
        do {
            let output = try await train(parameters, context: context)
            _ = try await tracking.updateRun(id: parameters.runId, status: .finished, endTime: epochMilliseconds(), name: nil)
            return output
        } catch {
            _ = try? await tracking.updateRun(id: parameters.runId, status: .failed, endTime: epochMilliseconds(), name: nil)
            throw error
        }
    }

    private func train(_ parameters: Parameters, context: JobContext) async throws -> Output {
        let config = parameters.config
        guard let file = try await files.find(id: parameters.fileId) else {
            throw JobFailure(code: "file_missing", message: "uploaded file \(parameters.fileId) is gone")
        }
        let dataset = CTRDataset(table: try CSVTable.parse(try context.input(file.sha256)))
        let (values, labels, columns) = try dataset.matrix()
        let (trainRows, validationRows) = StratifiedSplit.split(labels: labels, validationShare: 0.2, seed: 42)
        func subset(_ rows: [Int]) -> XGBoostTrainer.DataSet {
            var subsetValues: [Float] = []
            subsetValues.reserveCapacity(rows.count * columns)
            for row in rows { subsetValues += values[(row * columns)..<((row + 1) * columns)] }
            return .init(values: subsetValues, labels: rows.map { labels[$0] }, columns: columns)
        }
        let train = subset(trainRows), validation = subset(validationRows)
        let positives = train.labels.reduce(0, +)
        // Clicks are rare (a few percent): weight them so that the loss does not ignore them.
        let positiveWeight = positives > 0 ? Double(Float(train.rows) - positives) / Double(positives) : 1
        try await tracking.logBatch(runID: parameters.runId, params: [
            TrackingTag(key: "train_rows", value: String(train.rows)),
            TrackingTag(key: "validation_rows", value: String(validation.rows)),
            TrackingTag(key: "scale_pos_weight", value: String(format: "%.4f", positiveWeight)),
        ])

        let trainer = try XGBoostTrainer(
            library: try xgboost(), train: train, evaluation: [("train", train), ("validation", validation)],
            parameters: [
                ("objective", "binary:logistic"), ("eval_metric", "logloss"), ("eval_metric", "auc"), ("eval_metric", "error"),
                ("eta", String(config.resolvedLearningRate)), ("max_depth", String(config.resolvedMaxDepth)),
                ("scale_pos_weight", String(positiveWeight)), ("seed", "0"), ("nthread", "1"),
            ])
        let epochs = config.resolvedEpochs
        var bestLoss = Double.infinity, bestEpoch = 0, ranEpochs = 0
        for epoch in 1...epochs {
            try context.checkCancellation()
            let evaluation = try trainer.boost(round: epoch - 1)
            ranEpochs = epoch
            let now = epochMilliseconds()
            var metrics: [Metric] = []
            func record(_ key: String, _ value: Double?) {
                if let value { metrics.append(Metric(key: key, value: value, timestamp: now, step: Int64(epoch))) }
            }
            record("train_loss", evaluation["train-logloss"])
            record("val_loss", evaluation["validation-logloss"])
            record("train_accuracy", evaluation["train-error"].map { 1 - $0 })
            record("val_accuracy", evaluation["validation-error"].map { 1 - $0 })
            record("val_auc", evaluation["validation-auc"])
            try await tracking.logBatch(runID: parameters.runId, metrics: metrics)
            await context.progress(Double(epoch) / Double(epochs), "epoch \(epoch)/\(epochs)")
            let loss = evaluation["validation-logloss"] ?? .infinity
            if loss < bestLoss { bestLoss = loss; bestEpoch = epoch }
            if let patience = config.earlyStoppingRounds, epoch - bestEpoch >= patience { break }
        }

        // The model and its Kiln config become the run's `model/` artifacts, then a registry version.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-ctr-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let modelFile = folder.appendingPathComponent("model.json")
        try trainer.save(to: modelFile)
        let servingConfig: JSONValue = .object([
            "platform": "xgboost",
            "inputs": .array([.object(["name": "features", "datatype": "FP32", "shape": .array([-1, .int(columns)])])]),
            "outputs": .array([.object(["name": "probability", "datatype": "FP32", "shape": .array([-1])])]),
            "max_batch_size": 256,
            "dynamic_batching": .object(["max_queue_delay_us": 200]),
            "metadata": .object([
                "description": .string("CTR classifier trained by Kiln from \(file.filename)"),
                "feature_names": .array(dataset.featureNames.map(JSONValue.string)),
                "run_id": .string(parameters.runId),
            ]),
        ])
        let run = try await tracking.runInfo(id: parameters.runId)
        guard let root = try ArtifactService.path(ofURI: run.artifactURI) else {
            throw JobFailure(code: "artifact_location", message: "run \(parameters.runId) stores artifacts outside Kiln (\(run.artifactURI))")
        }
        _ = try await artifacts.put(path: "\(root)/model/model.json", body: FileChunks(url: modelFile))
        _ = try await artifacts.put(path: "\(root)/model/config.json", body: SingleChunk(bytes: servingConfig.jsonBytes))
        await context.progress(1, "analysing features")
        let analysis = try FeatureAnalysis.compute(
            names: dataset.featureNames, modelJSON: try Data(contentsOf: modelFile), values: values, labels: labels)
        _ = try await artifacts.put(path: "\(root)/\(CTRService.analysisArtifact)", body: SingleChunk(bytes: Array(try JSONEncoder().encode(analysis))))

        let name = config.resolvedModelName
        do {
            _ = try await registry.createRegisteredModel(name: name, description: "CTR models trained by Kiln", tags: [])
        } catch let error as KilnError where error.code == .conflict {}
        let version = try await registry.createModelVersion(
            name: name, source: "\(run.artifactURI)/model", runID: parameters.runId, description: "", tags: [], userID: context.job.owner)
        try await tracking.logBatch(runID: parameters.runId, tags: [
            TrackingTag(key: "kiln.model_name", value: name), TrackingTag(key: "kiln.model_version", value: String(version.version.version)),
        ])
        return Output(runId: parameters.runId, modelName: name, modelVersion: String(version.version.version), epochs: ranEpochs)
    }
}
