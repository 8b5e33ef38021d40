import Foundation
import KilnCore

/// MLflow's limits, enforced the same way its server does, so that clients see the same errors.
public enum TrackingLimits {
    public static let maxKeyLength = 250
    public static let maxParamValueLength = 6000
    public static let maxTagValueLength = 8000
    public static let maxExperimentNameLength = 500
    public static let maxMetricsPerBatch = 1000
    public static let maxParamsTagsPerBatch = 100
    public static let maxEntitiesPerBatch = 1000
    public static let maxSearchResults = 50_000
    public static let defaultSearchResults = 1000
    public static let maxMetricHistoryResults = 25_000
}

/// Experiments and runs: validation, ids, names and paging over a `TrackingRepository`.
/// Used by the MLflow REST surface and directly by Kiln's own training jobs.
public struct TrackingService: Sendable {
    public let repository: any TrackingRepository

    public init(repository: any TrackingRepository) {
        self.repository = repository
    }

    // MARK: Experiments

    public func createExperiment(name: String, artifactLocation: String? = nil, tags: [TrackingTag] = []) async throws -> Experiment {
        try Self.validateExperimentName(name)
        for tag in tags { try Self.validate(tag: tag) }
        return try await repository.createExperiment(
            name: name, artifactLocation: artifactLocation.flatMap { $0.isEmpty ? nil : $0 }, tags: tags, now: epochMilliseconds())
    }

    /// The experiment with `name`, created when missing (what `mlflow.set_experiment` does).
    public func experiment(named name: String, creating: Bool) async throws -> Experiment {
        if let experiment = try await repository.experiment(named: name) { return experiment }
        guard creating else { throw KilnError.notFound("Could not find experiment with name '\(name.prefix(500))'") }
        do {
            return try await createExperiment(name: name)
        } catch let error as KilnError where error.code == .conflict {
            // Created concurrently by another caller: use theirs.
            return try await experiment(named: name, creating: false)
        }
    }

    public func experiment(id: String) async throws -> Experiment {
        guard let number = Int64(id), let experiment = try await repository.experiment(id: number) else {
            throw KilnError.notFound("No Experiment with id=\(id.prefix(64)) exists")
        }
        return experiment
    }

    public func searchExperiments(view: ViewType, filter: String?, orderBy: [String], maxResults: Int?, pageToken: String?) async throws -> Page<Experiment> {
        let parsedFilter = try SearchFilter(parsing: filter ?? "")
        let orders = try orderBy.map(SearchOrder.init(parsing:))
        let (limit, offset) = try Self.paging(maxResults: maxResults, pageToken: pageToken)
        let found = try await repository.searchExperiments(view: view, filter: parsedFilter, orderBy: orders, limit: limit + 1, offset: offset)
        return Self.page(found, limit: limit, offset: offset)
    }

    public func renameExperiment(id: String, to name: String) async throws {
        try Self.validateExperimentName(name)
        let experiment = try await experiment(id: id)
        try await repository.renameExperiment(id: experiment.id, to: name, now: epochMilliseconds())
    }

    public func setExperimentLifecycle(id: String, _ stage: LifecycleStage) async throws {
        let experiment = try await experiment(id: id)
        try await repository.setExperimentLifecycle(id: experiment.id, stage, now: epochMilliseconds())
    }

    public func setExperimentTag(id: String, _ tag: TrackingTag) async throws {
        try Self.validate(tag: tag)
        let experiment = try await experiment(id: id)
        try await repository.setExperimentTag(id: experiment.id, tag)
    }

    // MARK: Runs

    /// Starts a run; the name, when not given, is made up as MLflow does (`adjective-noun-123`)
    /// and recorded as the `mlflow.runName` tag too.
    public func createRun(experimentID: String?, userID: String, name: String?, startTime: Int64?, tags: [TrackingTag]) async throws -> Run {
        let experiment = try await experiment(id: experimentID.flatMap { $0.isEmpty ? nil : $0 } ?? "0")
        guard experiment.lifecycleStage == .active else {
            throw KilnError.invalidArgument("The experiment \(experiment.id) must be in the 'active' state. Current state is deleted.")
        }
        for tag in tags { try Self.validate(tag: tag) }
        let runName = name.flatMap { $0.isEmpty ? nil : $0 }
            ?? tags.first(where: { $0.key == "mlflow.runName" })?.value
            ?? RunNames.random()
        let runID = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let artifactRoot = experiment.artifactLocation.hasSuffix("/") ? String(experiment.artifactLocation.dropLast()) : experiment.artifactLocation
        let info = RunInfo(
            runID: runID, experimentID: experiment.id, name: runName, userID: userID, status: .running,
            startTime: startTime ?? epochMilliseconds(), endTime: nil, artifactURI: "\(artifactRoot)/\(runID)/artifacts",
            lifecycleStage: .active)
        var allTags = tags.filter { $0.key != "mlflow.runName" }
        allTags.append(TrackingTag(key: "mlflow.runName", value: runName))
        try await repository.createRun(info, tags: allTags)
        return try await run(id: runID)
    }

    public func run(id: String) async throws -> Run {
        guard let run = try await repository.run(id: id) else { throw Self.runNotFound(id) }
        return run
    }

    public func runInfo(id: String) async throws -> RunInfo {
        guard let info = try await repository.runInfo(id: id) else { throw Self.runNotFound(id) }
        return info
    }

    private static func runNotFound(_ id: String) -> KilnError {
        KilnError.notFound("Run with id=\(id.prefix(64)) not found")
    }

    public func updateRun(id: String, status: RunStatus?, endTime: Int64?, name: String?) async throws -> RunInfo {
        _ = try await activeRun(id)
        try await repository.updateRun(id: id, status: status, endTime: endTime, name: name.flatMap { $0.isEmpty ? nil : $0 })
        return try await runInfo(id: id)
    }

    public func setRunLifecycle(id: String, _ stage: LifecycleStage) async throws {
        _ = try await runInfo(id: id)
        try await repository.setRunLifecycle(id: id, stage, now: epochMilliseconds())
    }

    /// Validates the whole batch against MLflow's limits before anything is written, so that a
    /// batch over a limit is rejected whole.
    public func logBatch(runID: String, metrics: [Metric] = [], params: [TrackingTag] = [], tags: [TrackingTag] = []) async throws {
        guard metrics.count <= TrackingLimits.maxMetricsPerBatch else {
            throw KilnError.invalidArgument(
                "A batch logging request can contain at most \(TrackingLimits.maxMetricsPerBatch) metrics. Got \(metrics.count) metrics.")
        }
        guard params.count <= TrackingLimits.maxParamsTagsPerBatch else {
            throw KilnError.invalidArgument(
                "A batch logging request can contain at most \(TrackingLimits.maxParamsTagsPerBatch) params. Got \(params.count) params.")
        }
        guard tags.count <= TrackingLimits.maxParamsTagsPerBatch else {
            throw KilnError.invalidArgument(
                "A batch logging request can contain at most \(TrackingLimits.maxParamsTagsPerBatch) tags. Got \(tags.count) tags.")
        }
        let total = metrics.count + params.count + tags.count
        guard total <= TrackingLimits.maxEntitiesPerBatch else {
            throw KilnError.invalidArgument(
                "A batch logging request can contain at most \(TrackingLimits.maxEntitiesPerBatch) metrics, params and tags in total. Got \(total).")
        }
        for metric in metrics { try Self.validate(metric: metric) }
        for param in params { try Self.validate(param: param) }
        for tag in tags { try Self.validate(tag: tag) }
        _ = try await activeRun(runID)
        try await repository.logBatch(runID: runID, metrics: metrics, params: params, tags: tags)
    }

    public func deleteTag(runID: String, key: String) async throws {
        _ = try await activeRun(runID)
        guard try await repository.deleteTag(runID: runID, key: key) else {
            throw KilnError.notFound("No tag with name: \(key.prefix(250)) in run with id \(runID)")
        }
    }

    public func metricHistory(runID: String, key: String, maxResults: Int?, pageToken: String?) async throws -> Page<Metric> {
        _ = try await runInfo(id: runID)
        let requested = min(maxResults ?? TrackingLimits.maxMetricHistoryResults, TrackingLimits.maxMetricHistoryResults)
        let (limit, offset) = try Self.paging(maxResults: requested, pageToken: pageToken)
        let found = try await repository.metricHistory(runID: runID, key: key, limit: limit + 1, offset: offset)
        return Self.page(found, limit: limit, offset: offset)
    }

    public func searchRuns(experimentIDs: [String], filter: String?, view: ViewType, orderBy: [String], maxResults: Int?, pageToken: String?) async throws -> Page<Run> {
        let ids = try experimentIDs.map { id -> Int64 in
            guard let number = Int64(id) else { throw KilnError.invalidArgument("invalid experiment id '\(id.prefix(64))'") }
            return number
        }
        let parsedFilter = try SearchFilter(parsing: filter ?? "")
        let orders = try orderBy.map(SearchOrder.init(parsing:))
        let (limit, offset) = try Self.paging(maxResults: maxResults, pageToken: pageToken)
        let found = try await repository.searchRuns(
            experimentIDs: ids, filter: parsedFilter, view: view, orderBy: orders, limit: limit + 1, offset: offset)
        return Self.page(found, limit: limit, offset: offset)
    }

    public func logInputs(runID: String, _ inputs: [JSONValue]) async throws {
        _ = try await activeRun(runID)
        try await repository.appendRunInputs(runID: runID, inputs)
    }

    public func logOutputs(runID: String, _ outputs: [JSONValue]) async throws {
        _ = try await activeRun(runID)
        try await repository.appendRunOutputs(runID: runID, outputs)
    }

    private func activeRun(_ id: String) async throws -> RunInfo {
        let info = try await runInfo(id: id)
        guard info.lifecycleStage == .active else {
            throw KilnError.invalidArgument("The run \(id) must be in the 'active' state. Current state is deleted.")
        }
        return info
    }

    // MARK: Validation and paging

    static func validateExperimentName(_ name: String) throws {
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw KilnError.invalidArgument("Invalid experiment name: ''. Experiment name must be a non-empty string.")
        }
        guard name.count <= TrackingLimits.maxExperimentNameLength else {
            throw KilnError.invalidArgument("Experiment name exceeds the maximum length of \(TrackingLimits.maxExperimentNameLength) characters")
        }
    }

    static func validate(key: String, kind: String) throws {
        guard !key.isEmpty else { throw KilnError.invalidArgument("\(kind) name must not be empty") }
        guard key.count <= TrackingLimits.maxKeyLength else {
            throw KilnError.invalidArgument("\(kind) name '\(key.prefix(100))…' exceeds the maximum length of \(TrackingLimits.maxKeyLength) characters")
        }
        // MLflow's rule: names become file paths in its file store, so no '..' segments or leading '/'.
        guard !key.hasPrefix("/"), !key.split(separator: "/", omittingEmptySubsequences: false).contains("..") else {
            throw KilnError.invalidArgument("Invalid \(kind.lowercased()) name: '\(key.prefix(100))'. Names may not contain '..' segments or start with '/'")
        }
    }

    static func validate(metric: Metric) throws {
        try validate(key: metric.key, kind: "Metric")
    }

    static func validate(param: TrackingTag) throws {
        try validate(key: param.key, kind: "Param")
        guard param.value.count <= TrackingLimits.maxParamValueLength else {
            throw KilnError.invalidArgument(
                "Param value '\(param.value.prefix(100))…' had length \(param.value.count), which exceeded length limit of \(TrackingLimits.maxParamValueLength)")
        }
    }

    static func validate(tag: TrackingTag) throws {
        try validate(key: tag.key, kind: "Tag")
        guard tag.value.count <= TrackingLimits.maxTagValueLength else {
            throw KilnError.invalidArgument(
                "Tag value '\(tag.value.prefix(100))…' had length \(tag.value.count), which exceeded length limit of \(TrackingLimits.maxTagValueLength)")
        }
    }

    /// Page tokens are MLflow's: base64 of `{"offset": N}`.
    static func paging(maxResults: Int?, pageToken: String?) throws -> (limit: Int, offset: Int) {
        let limit = maxResults ?? TrackingLimits.defaultSearchResults
        guard limit >= 1, limit <= TrackingLimits.maxSearchResults else {
            throw KilnError.invalidArgument("Invalid value \(limit) for parameter 'max_results' supplied. It must be between 1 and \(TrackingLimits.maxSearchResults)")
        }
        guard let pageToken, !pageToken.isEmpty else { return (limit, 0) }
        guard let data = Data(base64Encoded: pageToken),
              let object = try? JSONDecoder().decode([String: Int].self, from: data),
              let offset = object["offset"], offset >= 0 else {
            throw KilnError.invalidArgument("Invalid page token, could not base64-decode")
        }
        return (limit, offset)
    }

    static func page<Item>(_ found: [Item], limit: Int, offset: Int) -> Page<Item> {
        guard found.count > limit else { return Page(items: found, nextPageToken: nil) }
        let token = Data(#"{"offset": \#(offset + limit)}"#.utf8).base64EncodedString()
        return Page(items: Array(found.prefix(limit)), nextPageToken: token)
    }
}
