import Foundation
import KilnCore
import KilnFeedback
import KilnServing

/// `POST /predict/biomarker_prediction`: a tree model's prediction for one case with its TreeSHAP
/// explanation. The model's feature names come from its `config.json` (`metadata.features`), so
/// a user's own XGBoost model with other features works the same way. Each answer is kept (the
/// features as a JSON blob) under its `prediction_id`, so a clinician can review it.
public struct BiomarkerService: Sendable {
    public static let defaultModel = "\(ImagingModels.biomarkerClassifier)@production"
    public static let task = "biomarker_prediction"
    let registry: ModelRegistry
    let archive: PredictionArchive

    public init(registry: ModelRegistry, archive: PredictionArchive) {
        self.registry = registry
        self.archive = archive
    }

    public func predict(features given: [String: Double], model reference: String?, actor: String) async throws -> JSONValue {
        let started = ContinuousClock.now
        let loaded = try await registry.resolveLoading(reference ?? Self.defaultModel)
        guard loaded.config.platform == .xgboost else {
            throw KilnError.invalidArgument("model '\(loaded.name)' is not an XGBoost model; biomarker prediction explains tree models with TreeSHAP")
        }
        guard case .array(let listed)? = loaded.config.metadata?["features"] else {
            throw KilnError.invalidArgument("model '\(loaded.name)' lists no feature names (config.json metadata.features)")
        }
        let names = listed.compactMap { value -> String? in if case .string(let name) = value { return name } else { return nil } }
        let missing = names.filter { given[$0] == nil }
        let unknown = given.keys.filter { !names.contains($0) }.sorted()
        if !missing.isEmpty || !unknown.isEmpty {
            var parts: [String] = []
            if !missing.isEmpty { parts.append("missing \(missing.count): \(missing.joined(separator: ", "))") }
            if !unknown.isEmpty { parts.append("unknown \(unknown.count): \(unknown.prefix(50).joined(separator: ", "))") }
            throw KilnError(.invalidArgument, "features do not match the model's: " + parts.joined(separator: "; "),
                            details: ["missing": .array(missing.map(JSONValue.string)), "unknown": .array(unknown.prefix(50).map(JSONValue.string))])
        }
        let nonFinite = names.filter { !given[$0]!.isFinite }
        guard nonFinite.isEmpty else { throw KilnError.invalidArgument("features must be finite numbers: \(nonFinite.joined(separator: ", "))") }
        let row = names.map { Float(given[$0]!) }

        let explained = try await loaded.scheduler.perform((any TreeContributions).self) { trees -> (margin: Float, contributions: [Float]) in
            let margin = try trees.margins(row, rows: 1, columns: row.count)
            let contributions = try trees.contributions(row, rows: 1, columns: row.count)
            guard margin.count == 1, contributions.count == row.count + 1 else {
                throw KilnError.invalidArgument("model '\(loaded.name)' is not a single-output model (got \(margin.count) margins)")
            }
            return (margin[0], contributions)
        }
        let probability = 1 / (1 + exp(-Double(explained.margin)))
        let labels = loaded.config.labels ?? ["0", "1"]
        let positive = probability >= 0.5
        let contributions = names.indices
            .sorted { abs(explained.contributions[$0]) > abs(explained.contributions[$1]) }
            .map { index -> JSONValue in
                .object(["feature": .string(names[index]), "value": .number(given[names[index]]!),
                         "contribution": .number(Double(explained.contributions[index]))])
            }
        let predictionID = PredictionArchive.newPredictionID()
        let predicted = labels.count == 2 ? labels[positive ? 1 : 0] : (positive ? "1" : "0")
        var answer: [String: JSONValue] = [
            "prediction_id": .string(predictionID),
            "model": ImagingModelBlock.json(loaded),
            "prediction": .string(predicted),
            "probability": .number(positive ? probability : 1 - probability),
            "probabilities": .object(labels.count == 2 ? [labels[0]: .number(1 - probability), labels[1]: .number(probability)] : [:]),
            "shap": .object([
                "base_value": .number(Double(explained.contributions[names.count])),
                "margin": .number(Double(explained.margin)),
                "output": "log-odds of the second label; base_value + Σ contribution = margin",
                "contributions": .array(contributions),
            ]),
        ]
        let input: JSONValue = .object(["features": .object(given.mapValues(JSONValue.number))])
        try await archive.keep(
            id: predictionID, task: Self.task, model: loaded, input: input.jsonBytes, inputKind: "json",
            predictedLabel: predicted, output: .object(answer), actor: actor)
        answer["processing_time_ms"] = .number((ContinuousClock.now - started).millisecondsValue)
        return .object(answer)
    }
}
