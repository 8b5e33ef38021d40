import ImagingApp
import Foundation
import KilnCore
import KilnML
import KilnServing
import XGBoost

/// Trains the demo biomarker classifier (gradient-boosted trees on the Wisconsin breast-cancer
/// data) into a model-repository folder, with its 5-fold cross-validated ROC AUC in the
/// metadata. Deterministic: fixed parameters, seed and folds, one thread.
public struct BiomarkerDemoTrainer: Sendable {
    public static let modelName = ImagingModels.biomarkerClassifier
    /// The same parameters go to Python xgboost in `benchmarks/imaging/biomarker_cv.py`.
    public static let parameters: [(String, String)] = [
        ("objective", "binary:logistic"), ("max_depth", "3"), ("eta", "0.1"), ("subsample", "1"),
        ("colsample_bytree", "1"), ("min_child_weight", "1"), ("seed", "0"), ("nthread", "1"), ("eval_metric", "auc"),
    ]
    public static let rounds = 100
    public static let folds = 5

    let library: XGBoostLibrary

    public init(library: XGBoostLibrary) {
        self.library = library
    }

    public struct Result: Sendable {
        public var version: Int
        public var folder: URL
        public var foldAUC: [Double]
        public var meanAUC: Double { foldAUC.reduce(0, +) / Double(foldAUC.count) }
    }

    /// ROC AUC of each held-out fold, a model trained on the other four.
    public func crossValidate(_ table: BiomarkerTable) throws -> [Double] {
        let folds = table.stratifiedFolds(Self.folds)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-biomarker-cv-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: scratch) }
        return try folds.indices.map { held in
            let train = table.subset(folds.indices.filter { $0 != held }.flatMap { folds[$0] })
            let test = table.subset(folds[held])
            try fit(train).save(to: scratch)
            let model = try XGBoostModel(path: scratch.path, library: library, threads: 1)
            let (probabilities, _) = try model.predict(test.values, rows: test.rows, columns: test.features.count)
            return BinaryMetrics.auc(probabilities: probabilities, labels: test.labels)
        }
    }

    func fit(_ table: BiomarkerTable) throws -> XGBoostTrainer {
        let trainer = try XGBoostTrainer(library: library, train: .init(values: table.values, labels: table.labels, columns: table.features.count),
                                         evaluation: [], parameters: Self.parameters)
        for round in 0..<Self.rounds { _ = try trainer.boost(round: round) }
        return trainer
    }

    /// Cross-validates, trains on every row and writes `<repository>/biomarker_classifier/<next
    /// version>/model.json` and its training rows as `reference.json` (the model's `config.json`
    /// is written when missing).
    public func train(csv: URL, repository: URL) throws -> Result {
        let table = try BiomarkerTable.load(csv: csv)
        let foldAUC = try crossValidate(table)
        let mean = foldAUC.reduce(0, +) / Double(foldAUC.count)
        let config: JSONValue = .object([
            "platform": "xgboost",
            "inputs": .array([.object(["name": "features", "datatype": "FP32", "shape": .array([.int(-1), .int(table.features.count)])])]),
            "outputs": .array([.object(["name": "probability_benign", "datatype": "FP32", "shape": .array([.int(-1)])])]),
            "max_batch_size": .int(64),
            // XGBoost predicts on one thread per instance: two instances use both cores of a
            // small machine (concurrent requests, and an explanation's parts in parallel).
            "instance_count": .int(2),
            "labels": .array(["malignant", "benign"]),
            "metadata": .object([
                "demo": .bool(true),
                "notice": DemoModelWriter.notice,
                "description": .string("Gradient-boosted trees (\(Self.rounds) rounds, depth 3) on the Wisconsin breast-cancer data (569 cases); output = probability of benign (target 1)"),
                "features": .array(table.features.map(JSONValue.string)),
                "training_data": "UCI Breast Cancer Wisconsin (Diagnostic), Wolberg, Street, Mangasarian 1995; CC BY 4.0",
                "cv_folds": .int(Self.folds),
                "cv_roc_auc": .array(foldAUC.map(DemoModelWriter.rounded)),
                "cv_roc_auc_mean": DemoModelWriter.rounded(mean),
            ]),
        ])
        let written = try DemoModelWriter.write(name: Self.modelName, repository: repository, config: config) { staging in
            try fit(table).save(to: staging.appendingPathComponent("model.json"))
            // The training rows ship with the version: KernelSHAP's background and LIME's statistics.
            try ReferenceSample(featureNames: table.features, values: table.values, rows: table.rows, columns: table.features.count)
                .encoded().write(to: staging.appendingPathComponent(ReferenceSample.fileName))
            // With their labels, so that the model can be refitted from reviews (BiomarkerRetrainer).
            try BiomarkerTrainingData.write(table, to: staging)
        }
        return Result(version: written.version, folder: written.folder, foldAUC: foldAUC)
    }
}
