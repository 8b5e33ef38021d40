import Foundation
import KilnCore
import KilnExplain
import KilnFeedback
import KilnServing

/// `POST /predict/biomarker_prediction`: a tabular model's prediction for one case with its
/// explanation — TreeSHAP for XGBoost models (the default there), KernelSHAP or LIME for any
/// tabular model (through the platform's explainer, over the version's reference sample). The
/// model's feature names come from its `config.json` (`metadata.features`), so a user's own
/// model with other features works the same way. Each answer, explanation included, is kept
/// (the features as a JSON blob) under its `prediction_id`, so a clinician sees what the model saw.
public struct BiomarkerService: Sendable {
    public static let defaultModel = "\(ImagingModels.biomarkerClassifier)@production"
    public static let task = "biomarker_prediction"
    public static let methods: [ExplainMethod] = [.treeShap, .kernelShap, .lime]
    let registry: ModelRegistry
    let archive: PredictionArchive
    let inference: InferenceService
    let explainer: ExplainService

    public init(registry: ModelRegistry, archive: PredictionArchive, inference: InferenceService, explainer: ExplainService) {
        self.registry = registry
        self.archive = archive
        self.inference = inference
        self.explainer = explainer
    }

    /// - Parameter method: `tree_shap` (default for XGBoost), `kernel_shap` (default otherwise) or `lime`.
    public func predict(features given: [String: Double], model reference: String?, method requested: String? = nil,
                        actor: String) async throws -> JSONValue {
        let started = ContinuousClock.now
        let loaded = try await registry.resolveLoading(reference ?? Self.defaultModel)
        let method = try requested.map { name -> ExplainMethod in
            guard let method = ExplainMethod(rawValue: name), Self.methods.contains(method) else {
                throw KilnError.invalidArgument("method must be one of \(Self.methods.map(\.rawValue)), got '\(name.prefix(64))'")
            }
            return method
        } ?? (loaded.config.platform == .xgboost ? .treeShap : .kernelShap)
        guard ExplainMethod.supported(by: loaded.config).contains(method) else {
            throw KilnError(.explanationUnsupported, "model '\(loaded.name)' cannot be explained with \(method.rawValue); it supports \(ExplainMethod.supported(by: loaded.config).map(\.rawValue))")
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

        let labels = loaded.config.labels ?? ["0", "1"]
        let (probability, explanation) = method == .treeShap
            ? try await treeSHAP(loaded, row: row, names: names, given: given)
            : try await modelAgnostic(loaded, method: method, row: row, names: names, given: given)
        let positive = probability >= 0.5
        let predictionID = PredictionArchive.newPredictionID()
        let predicted = labels.count == 2 ? labels[positive ? 1 : 0] : (positive ? "1" : "0")
        var answer: [String: JSONValue] = [
            "prediction_id": .string(predictionID),
            "model": ImagingModelBlock.json(loaded),
            "prediction": .string(predicted),
            "probability": .number(positive ? probability : 1 - probability),
            "probabilities": .object(labels.count == 2 ? [labels[0]: .number(1 - probability), labels[1]: .number(probability)] : [:]),
            method == .lime ? "lime" : "shap": explanation,
        ]
        let input: JSONValue = .object(["features": .object(given.mapValues(JSONValue.number))])
        try await archive.keep(
            id: predictionID, task: Self.task, model: loaded, input: input.jsonBytes, inputKind: "json",
            predictedLabel: predicted, output: .object(answer.merging(["explanation": explanation]) { old, _ in old }), actor: actor)
        answer["processing_time_ms"] = .number((ContinuousClock.now - started).millisecondsValue)
        return .object(answer)
    }

    /// XGBoost's exact TreeSHAP in log-odds: base_value + Σ contribution = margin.
    func treeSHAP(_ loaded: LoadedVersion, row: [Float], names: [String], given: [String: Double]) async throws -> (Double, JSONValue) {
        let explained = try await loaded.scheduler.perform((any TreeContributions).self) { trees -> (margin: Float, contributions: [Float]) in
            let margin = try trees.margins(row, rows: 1, columns: row.count)
            let contributions = try trees.contributions(row, rows: 1, columns: row.count)
            guard margin.count == 1, contributions.count == row.count + 1 else {
                throw KilnError.invalidArgument("model '\(loaded.name)' is not a single-output model (got \(margin.count) margins)")
            }
            return (margin[0], contributions)
        }
        let contributions = names.indices
            .sorted { abs(explained.contributions[$0]) > abs(explained.contributions[$1]) }
            .map { index -> JSONValue in
                .object(["feature": .string(names[index]), "value": .number(given[names[index]]!),
                         "contribution": .number(Double(explained.contributions[index]))])
            }
        return (1 / (1 + exp(-Double(explained.margin))), .object([
            "method": "tree_shap",
            "base_value": .number(Double(explained.contributions[names.count])),
            "margin": .number(Double(explained.margin)),
            "output": "log-odds of the second label; base_value + Σ contribution = margin",
            "contributions": .array(contributions),
        ]))
    }

    /// KernelSHAP or LIME on the model's probability of the second label (the output itself for
    /// a one-column output, its second column for two), with the version's reference sample.
    func modelAgnostic(_ loaded: LoadedVersion, method: ExplainMethod, row: [Float], names: [String],
                       given: [String: Double]) async throws -> (Double, JSONValue) {
        let request = InferenceRequest(inputs: [loaded.config.inputs[0].name: .float32(row, shape: [1, row.count])])
        let output = try await inference.infer(loaded, request).outputs[0].tensor
        guard output.datatype == .fp32, [1, 2].contains(output.elementCount) else {
            throw KilnError(.explanationUnsupported, "model '\(loaded.name)' must output one probability or two class scores per row")
        }
        var options = ExplainOptions(method: method)
        options.target = .number(Double(output.elementCount - 1))
        let answer = try await explainer.explain(loaded, request, options: options)
        let explanation = answer.explanations[0]
        let parameters = answer.parameters
        var block: [String: JSONValue] = [
            "method": .string(method.rawValue),
            "base_value": .number(explanation.baseValue ?? 0),
            "prediction": .number(explanation.prediction),
            "output_column": .int(answer.output.index),
            "samples": parameters.samples.map { .int($0) } ?? .null,
            "seed": .int(Int(parameters.seed ?? 0)),
            "background": .string([parameters.background, parameters.backgroundSummary, parameters.backgroundRows.map(String.init)]
                .compactMap { $0 }.joined(separator: " ")),
        ]
        if method == .lime {
            block["weights"] = .array(explanation.top.map { .object(["feature": .string($0.feature), "condition": .string($0.condition ?? ""), "weight": .number($0.weight)]) })
            block["r2"] = .number(explanation.r2 ?? 0)
            block["local_prediction"] = .number(explanation.localPrediction ?? 0)
            block["output"] = "probability of the second label ≈ base_value (intercept) + Σ weight over the conditions that hold"
        } else {
            block["contributions"] = .array(explanation.top.map { .object(["feature": .string($0.feature), "value": .number(given[$0.feature] ?? 0), "contribution": .number($0.weight)]) })
            block["additivity_error"] = .number(explanation.additivityError ?? 0)
            block["output"] = "probability of the second label; base_value + Σ contribution = prediction"
        }
        return (explanation.prediction, .object(block))
    }
}
