import Crypto
import Foundation
import ImagingApp
import KilnCore
import KilnFeedback
import KilnML
import KilnRetraining
import KilnServing
import XGBoost

/// Retrains the biomarker classifier from reviews: refits the demo's gradient-boosted trees
/// (same parameters and rounds) on its original training rows, shipped with the version as
/// `training-data.json`, minus the held-out fold, plus the reviewed cases with the reviewers'
/// labels. Scored by ROC AUC. The original held-out set is fold 1 of the demo's 5 stratified
/// folds; the serving demo model was fitted on every row, that fold included, so the
/// comparison on it favours the serving model (a conservative no-regression check).
public struct BiomarkerRetrainer: ModelRetrainer {
    public let model = ImagingModels.biomarkerClassifier
    public let metric = RetrainingMetric.rocAUC
    public let decisions: Set<ReviewRecord.Decision> = [.confirm, .correct]
    static let heldOutFold = 0

    let library: @Sendable () throws -> XGBoostLibrary

    public init(library: @escaping @Sendable () throws -> XGBoostLibrary) {
        self.library = library
    }

    public func train(from champion: RetrainingVersion, cases: [RetrainingCase], options: RetrainingOptions,
                      into staging: URL, session: RetrainingSession) async throws {
        let original = try BiomarkerTrainingData.read(in: champion.folder)
        let labels = Self.labels(champion)
        let reviewed = try table(cases, features: original.features, labels: labels, session: session)
        let folds = original.stratifiedFolds(BiomarkerDemoTrainer.folds)
        let kept = original.subset(folds.indices.filter { $0 != Self.heldOutFold }.flatMap { folds[$0] })
        let combined = BiomarkerTable(features: original.features, values: kept.values + reviewed.values, labels: kept.labels + reviewed.labels)
        let trainer = try XGBoostTrainer(library: try library(), train: .init(values: combined.values, labels: combined.labels, columns: combined.features.count),
                                         evaluation: [], parameters: BiomarkerDemoTrainer.parameters)
        for round in 0..<BiomarkerDemoTrainer.rounds {
            try session.checkCancellation()
            _ = try trainer.boost(round: round)
            if (round + 1) % 10 == 0 { await session.progress(Double(round + 1) / Double(BiomarkerDemoTrainer.rounds), "round \(round + 1)/\(BiomarkerDemoTrainer.rounds)") }
        }
        try trainer.save(to: staging.appendingPathComponent("model.json"))
        // The next retraining starts from the same original rows; KernelSHAP and LIME keep their background.
        for file in [BiomarkerTrainingData.fileName, ReferenceSample.fileName] {
            let source = champion.folder.appendingPathComponent(file)
            if FileManager.default.fileExists(atPath: source.path) { try FileManager.default.copyItem(at: source, to: staging.appendingPathComponent(file)) }
        }
        var metadata = champion.metadata
        metadata["cv_roc_auc"] = nil
        metadata["cv_roc_auc_mean"] = nil
        metadata["refit"] = .object(["from_version": .int(champion.number ?? 0), "original_rows": .int(kept.rows), "reviewed_rows": .int(reviewed.rows),
                                     "held_out_fold": .int(Self.heldOutFold + 1), "rounds": .int(BiomarkerDemoTrainer.rounds)])
        try Data(JSONValue.object(["metadata": .object(metadata)]).jsonBytes).write(to: staging.appendingPathComponent("config.json"))
    }

    public func evaluate(_ versions: [RetrainingVersion], cases: [RetrainingCase], session: RetrainingSession) async throws -> [[CaseOutcome]] {
        let labels = Self.labels(versions[0])
        let reviewed = try table(cases, features: Self.features(versions[0]), labels: labels, session: session)
        return try versions.map { try score($0, reviewed, labels: labels) }
    }

    public func evaluateOriginal(_ versions: [RetrainingVersion], session: RetrainingSession) async throws -> HeldOutOutcomes? {
        guard let original = try? BiomarkerTrainingData.read(in: versions[0].folder) else { return nil }
        let held = original.subset(original.stratifiedFolds(BiomarkerDemoTrainer.folds)[Self.heldOutFold])
        let labels = Self.labels(versions[0])
        let digest = SHA256.hash(data: Data((held.values + held.labels).withUnsafeBufferPointer { Array(UnsafeRawBufferPointer($0)) })).hexString
        return HeldOutOutcomes(description: "fold 1 of the demo's 5 stratified folds of its training rows (\(held.rows) cases; the serving demo model was fitted on them too)",
                               sha256: digest, outcomes: try versions.map { try score($0, held, labels: labels) })
    }

    func score(_ version: RetrainingVersion, _ table: BiomarkerTable, labels: [String]) throws -> [CaseOutcome] {
        let model = try XGBoostModel(path: version.folder.appendingPathComponent("model.json").path, library: try library(), threads: 1)
        let (probabilities, _) = try model.predict(table.values, rows: table.rows, columns: table.features.count)
        return zip(probabilities, table.labels).map { p, label in
            CaseOutcome(label: labels[label >= 0.5 ? 1 : 0], predicted: labels[p >= 0.5 ? 1 : 0], score: Double(p))
        }
    }

    /// The reviewed cases as rows of the model's features (label 1 = the second label).
    func table(_ cases: [RetrainingCase], features: [String], labels: [String], session: RetrainingSession) throws -> BiomarkerTable {
        var values: [Float] = [], targets: [Float] = []
        for item in cases {
            guard let sha = item.prediction.inputSHA256, let target = labels.firstIndex(of: item.label),
                  case .object(let input) = try JSONReader.value([UInt8](session.blob(sha))), case .object(let given)? = input["features"] else { continue }
            let row = features.compactMap { name -> Float? in
                if case .number(let value)? = given[name] { return Float(value) }
                return nil
            }
            guard row.count == features.count else { continue }
            values += row
            targets.append(Float(target))
        }
        return BiomarkerTable(features: features, values: values, labels: targets)
    }

    static func labels(_ version: RetrainingVersion) -> [String] {
        guard let labels = version.config.labels, labels.count == 2 else { return ["malignant", "benign"] }
        return labels
    }

    static func features(_ version: RetrainingVersion) -> [String] {
        guard case .array(let names)? = version.metadata["features"] else { return [] }
        return names.compactMap { value -> String? in if case .string(let name) = value { return name }; return nil }
    }
}

/// The demo biomarker model's training rows with their labels, stored with each version so it
/// can be refitted from reviews (`reference.json` keeps the rows only).
public enum BiomarkerTrainingData {
    public static let fileName = "training-data.json"

    struct File: Codable {
        var feature_names: [String]
        var rows: [[Float]]
        var labels: [Float]
    }

    public static func write(_ table: BiomarkerTable, to folder: URL) throws {
        let rows = (0..<table.rows).map { Array(table.values[($0 * table.features.count)..<(($0 + 1) * table.features.count)]) }
        try JSONEncoder().encode(File(feature_names: table.features, rows: rows, labels: table.labels)).write(to: folder.appendingPathComponent(fileName))
    }

    public static func read(in folder: URL) throws -> BiomarkerTable {
        let url = folder.appendingPathComponent(fileName)
        guard let file = try? JSONDecoder().decode(File.self, from: Data(contentsOf: url)), file.rows.count == file.labels.count,
              file.rows.allSatisfy({ $0.count == file.feature_names.count }) else {
            throw KilnError.invalidArgument("the serving biomarker model has no readable \(fileName) (its training rows with labels); retrain the demo with `kiln train imaging-demo --only biomarker`")
        }
        return BiomarkerTable(features: file.feature_names, values: file.rows.flatMap { $0 }, labels: file.labels)
    }
}
