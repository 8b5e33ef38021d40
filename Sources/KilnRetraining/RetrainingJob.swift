import Crypto
import Foundation
import KilnCore
import KilnFeedback
import KilnJobs
import KilnServing
import KilnTracking

/// The `retraining` job: freezes the model's reviews as a dataset version, splits it into a
/// fixed evaluation part (chosen by each prediction's id, so a case never moves between parts)
/// and a training part, trains a candidate with the model's registered trainer, scores it and
/// the serving version on the same held-out cases, installs it as a new version with the
/// decision in its metadata, and moves the alias only if `PromotionPolicy` says so. Every step
/// is a tracking run visible through the MLflow API.
public struct RetrainingJobHandler: JobHandler {
    public static let kind = "retraining"

    public struct DatasetReference: Codable, Sendable, Equatable {
        public var name: String
        public var version: Int
    }

    public struct Parameters: Codable, Sendable {
        public var model: String
        /// The alias whose version is the champion and that a promotion moves.
        public var alias: String = "production"
        /// A frozen dataset; by default the job exports the model's reviews when it starts.
        public var dataset: DatasetReference?
        public var options: RetrainingOptions = RetrainingOptions()
        public var policy: PromotionPolicy = PromotionPolicy()
        /// The share of reviewed cases held out for evaluation.
        public var evaluationFraction: Double = 0.3
        /// false: evaluate and install the candidate, but never move the alias.
        public var promote: Bool = true
        /// Who asked (a person, or `schedule:<id>`).
        public var requestedBy: String
    }

    let trainers: [String: any ModelRetrainer]
    let registry: ModelRegistry
    let feedback: FeedbackServices
    let tracking: TrackingService
    let audit: any AuditLogRepository
    let staging: URL

    public init(trainers: [any ModelRetrainer], registry: ModelRegistry, feedback: FeedbackServices, tracking: TrackingService,
                audit: any AuditLogRepository, staging: URL) {
        self.trainers = Dictionary(trainers.map { ($0.model, $0) }, uniquingKeysWith: { first, _ in first })
        self.registry = registry
        self.feedback = feedback
        self.tracking = tracking
        self.audit = audit
        self.staging = staging
    }

    public func run(_ parameters: Parameters, context: JobContext) async throws -> JSONValue {
        guard let trainer = trainers[parameters.model] else {
            throw JobFailure(code: "no_trainer", message: "no trainer is registered for model '\(parameters.model)'")
        }
        let model = parameters.model
        let champion = try championVersion(model: model, alias: parameters.alias)
        await context.progress(0.02, "freezing the reviews as a dataset")
        let (dataset, manifest) = try await frozenDataset(parameters, jobID: context.job.id)
        let cases = try await retrainingCases(manifest: manifest, decisions: trainer.decisions)
        let split = EvaluationSplit(cases: cases, fraction: parameters.evaluationFraction)

        let experiment = try await tracking.experiment(named: "kiln-retraining/\(model)", creating: true)
        let run = try await tracking.createRun(
            experimentID: String(experiment.id), userID: parameters.requestedBy, name: "retrain \(model) from v\(champion.number ?? 0)",
            startTime: nil, tags: [TrackingTag(key: "kiln.job_id", value: context.job.id), TrackingTag(key: "kiln.model", value: model)])
        let runID = run.info.runID
        do {
            try await tracking.logBatch(runID: runID, params: params(parameters, champion: champion, dataset: dataset, split: split))
            let session = RetrainingSession(
                readBlob: { try context.input($0) },
                report: { fraction, message in await context.progress(0.05 + 0.75 * fraction, message) },
                log: { key, value, step in
                    try? await tracking.logBatch(runID: runID, metrics: [Metric(key: key, value: value, timestamp: epochMilliseconds(), step: Int64(step))])
                })
            guard !split.training.isEmpty else {
                throw JobFailure(code: "no_training_cases", message: "no reviewed case of '\(model)' falls in the training split (\(cases.count) usable reviews)")
            }
            let folder = staging.appendingPathComponent("retraining-\(context.job.id)-\(UUID().uuidString.prefix(8))", isDirectory: true)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            try await trainer.train(from: champion, cases: split.training, options: parameters.options, into: folder, session: session)

            await context.progress(0.82, "scoring the serving version and the candidate on the held-out cases")
            let candidate = try RetrainingVersion.staged(model: model, folder: folder, repository: repository)
            let positive = Self.positiveLabel(champion)
            let onFeedback: PairedComparison? = split.evaluation.isEmpty ? nil : try await {
                let outcomes = try await trainer.evaluate([champion, candidate], cases: split.evaluation, session: session)
                return try PairedComparison.compare(serving: outcomes[0], candidate: outcomes[1], metric: trainer.metric, positiveLabel: positive)
            }()
            let original = try await trainer.evaluateOriginal([champion, candidate], session: session)
            let onOriginal = try original.map {
                try PairedComparison.compare(serving: $0.outcomes[0], candidate: $0.outcomes[1], metric: trainer.metric, positiveLabel: positive)
            }
            let decision = parameters.policy.decide(feedback: onFeedback, original: onOriginal)
            let promote = decision.promote && parameters.promote
            var evaluation: [String: JSONValue] = [
                "feedback": onFeedback.map { comparison in
                    comparison.json.merging(["split_sha256": .string(split.evaluationSHA256)])
                } ?? .null,
                "original": onOriginal.map { comparison in
                    comparison.json.merging(["description": .string(original!.description), "sha256": .string(original!.sha256)])
                } ?? .null,
            ]
            evaluation["serving_version"] = .int(champion.number ?? 0)
            let record: JSONValue = .object([
                "job_id": .string(context.job.id), "run_id": .string(runID), "from_version": .int(champion.number ?? 0),
                "dataset": dataset.json, "evaluation": .object(evaluation), "decision": decision.json,
                "promotion_requested": .bool(parameters.promote),
            ])
            try candidate.recordInStagedConfig(record)

            await context.progress(0.92, "installing the candidate")
            let number = try await registry.manager.installVersion(model, staged: folder)
            let actor = "retraining:\(context.job.id)"
            if promote {
                try await registry.setAlias(model: model, alias: parameters.alias, version: number, actor: actor)
            }
            try await audit.append(AuditEntry(
                at: Date(), actor: actor, action: promote ? "model.promoted" : "model.promotion_refused", target: model,
                details: ["alias": .string(parameters.alias), "from_version": .int(champion.number ?? 0), "candidate_version": .int(number),
                          "reasons": .array(decision.reasons.map(JSONValue.string)), "requested_by": .string(parameters.requestedBy)]))
            try await tracking.logBatch(runID: runID, metrics: Self.metrics(onFeedback, prefix: "feedback") + Self.metrics(onOriginal, prefix: "original"),
                                        tags: [TrackingTag(key: "kiln.candidate_version", value: String(number)),
                                               TrackingTag(key: "kiln.promoted", value: String(promote)),
                                               TrackingTag(key: "kiln.decision", value: decision.reasons.isEmpty ? "better on every check" : decision.reasons.joined(separator: "; "))])
            _ = try await tracking.updateRun(id: runID, status: .finished, endTime: epochMilliseconds(), name: nil)
            await context.progress(1, promote ? "promoted version \(number)" : "registered version \(number), not promoted")
            return record.merging(["model": .string(model), "candidate_version": .int(number), "promoted": .bool(promote), "alias": .string(parameters.alias)])
        } catch {
            _ = try? await tracking.updateRun(id: runID, status: .failed, endTime: epochMilliseconds(), name: nil)
            throw error
        }
    }

    var repository: ModelRepository { ModelRepository(root: registry.manager.repositoryRoot) }

    /// The version the alias points at, else the newest in the repository.
    func championVersion(model: String, alias: String) throws -> RetrainingVersion {
        let numbers = registry.manager.repositoryVersions(of: model)
        guard let number = registry.aliases(of: model)[alias] ?? numbers.last, numbers.contains(number) else {
            throw JobFailure(code: "no_serving_version", message: "model '\(model)' has no version to retrain from")
        }
        return try RetrainingVersion.installed(model: model, number: number, repository: repository)
    }

    struct FrozenDataset {
        var name: String
        var version: Int
        var sha256: String
        var json: JSONValue { .object(["name": .string(name), "version": .int(version), "manifest_sha256": .string(sha256)]) }
    }

    /// The given dataset version, or a new one exported from the model's reviews now.
    func frozenDataset(_ parameters: Parameters, jobID: String) async throws -> (FrozenDataset, Data) {
        let name: String, version: Int
        if let dataset = parameters.dataset {
            (name, version) = (dataset.name, dataset.version)
        } else {
            let exported: JSONValue
            do {
                exported = try await feedback.datasets.export(name: "\(parameters.model)-retraining", model: parameters.model, task: nil, actor: "retraining:\(jobID)")
            } catch let error as KilnError where error.code == .invalidArgument {
                throw JobFailure(code: "no_reviews", message: error.message)
            }
            guard case .object(let object) = exported, case .number(let number)? = object["version"] else {
                throw KilnError(.internal, "the dataset export gave no version")
            }
            (name, version) = ("\(parameters.model)-retraining", Int(number))
        }
        let manifest = try await feedback.datasets.manifest(name: name, version: version)
        return (FrozenDataset(name: name, version: version, sha256: SHA256.hash(data: manifest).hexString), manifest)
    }

    /// The manifest's cases with their predictions, keeping the decisions the trainer learns from.
    func retrainingCases(manifest: Data, decisions: Set<ReviewRecord.Decision>) async throws -> [RetrainingCase] {
        guard case .object(let object) = try JSONReader.value([UInt8](manifest)), case .array(let items)? = object["items"] else {
            throw KilnError(.internal, "the dataset manifest has no items")
        }
        var cases: [RetrainingCase] = []
        for case .object(let item) in items {
            guard case .string(let id)? = item["prediction_id"], case .string(let label)? = item["label"],
                  case .string(let text)? = item["decision"], let decision = ReviewRecord.Decision(rawValue: text), decisions.contains(decision),
                  let prediction = try await feedback.predictions.prediction(id: id) else { continue }
            var maskSHA256: String?
            if case .string(let sha)? = item["mask_sha256"] { maskSHA256 = sha }
            cases.append(RetrainingCase(prediction: prediction, decision: decision, label: label, maskSHA256: maskSHA256))
        }
        return cases
    }

    func params(_ parameters: Parameters, champion: RetrainingVersion, dataset: FrozenDataset, split: EvaluationSplit) -> [TrackingTag] {
        var params: [(String, String)] = [
            ("model", parameters.model), ("serving_version", String(champion.number ?? 0)), ("alias", parameters.alias),
            ("dataset", "\(dataset.name)@\(dataset.version)"), ("dataset_sha256", dataset.sha256),
            ("dataset_cases", String(split.training.count + split.evaluation.count)), ("training_cases", String(split.training.count)),
            ("evaluation_cases", String(split.evaluation.count)), ("evaluation_split_sha256", split.evaluationSHA256),
            ("evaluation_fraction", String(parameters.evaluationFraction)),
            ("min_improvement", String(parameters.policy.minImprovement)), ("max_regression", String(parameters.policy.maxRegression)),
            ("require_significant", String(parameters.policy.requireSignificant)),
        ]
        if let epochs = parameters.options.epochs { params.append(("epochs", String(epochs))) }
        if let rate = parameters.options.learningRate { params.append(("learning_rate", String(rate))) }
        if let seed = parameters.options.seed { params.append(("seed", String(seed))) }
        return params.map { TrackingTag(key: $0.0, value: $0.1) }
    }

    static func metrics(_ comparison: PairedComparison?, prefix: String) -> [Metric] {
        guard let comparison else { return [] }
        let now = epochMilliseconds(), m = comparison.metric.rawValue
        return [("serving", comparison.serving), ("candidate", comparison.candidate), ("difference", comparison.difference)].flatMap { name, estimate in
            [Metric(key: "\(prefix)_\(name)_\(m)", value: estimate.value, timestamp: now, step: 0),
             Metric(key: "\(prefix)_\(name)_\(m)_ci_low", value: estimate.low, timestamp: now, step: 0),
             Metric(key: "\(prefix)_\(name)_\(m)_ci_high", value: estimate.high, timestamp: now, step: 0)]
        }
    }

    /// ROC AUC ranks the last label (the positive class of a binary classifier's `labels`).
    static func positiveLabel(_ version: RetrainingVersion) -> String? {
        version.config.labels?.last
    }
}

extension JSONValue {
    /// An object with `other`'s keys laid over its own (other values are returned unchanged).
    func merging(_ other: [String: JSONValue]) -> JSONValue {
        guard case .object(let object) = self else { return self }
        return .object(object.merging(other) { $1 })
    }
}
