import Foundation
import Hummingbird
import KilnCore
import KilnHTTPKit
import KilnTracking

/// MLflow's tracking REST API (`/api/2.0/mlflow/experiments/…`, `runs/…`, `metrics/…`), what the
/// real `mlflow` client calls. Any authenticated caller may read and write tracking data.
struct MLflowTrackingController {
    let tracking: TrackingService
    let json: JSONBody

    typealias Handler = @Sendable (MLflowInput, KilnRequestContext) async throws -> [String: JSONValue]

    func addRoutes(to api: RouterGroup<KilnRequestContext>) {
        func route(_ method: HTTPRequest.Method, _ path: RouterPath, _ handler: @escaping Handler) {
            api.on(path, method: method) { request, context in
                let input = try await MLflowInput.read(request, json: json)
                return MLflowJSON.response(try await handler(input, context))
            }
        }
        route(.post, "experiments/create", createExperiment)
        route(.get, "experiments/get", getExperiment)
        route(.get, "experiments/get-by-name", getExperimentByName)
        route(.post, "experiments/search", searchExperiments)
        route(.get, "experiments/search", searchExperiments)
        route(.post, "experiments/update", updateExperiment)
        route(.post, "experiments/delete") { input, _ in
            try await tracking.setExperimentLifecycle(id: try input.require("experiment_id"), .deleted)
            return MLflowJSON.empty
        }
        route(.post, "experiments/restore") { input, _ in
            try await tracking.setExperimentLifecycle(id: try input.require("experiment_id"), .active)
            return MLflowJSON.empty
        }
        route(.post, "experiments/set-experiment-tag") { input, _ in
            try await tracking.setExperimentTag(id: try input.require("experiment_id"), try input.tag())
            return MLflowJSON.empty
        }

        route(.post, "runs/create", createRun)
        route(.get, "runs/get") { input, _ in ["run": MLflowJSON.run(try await tracking.run(id: try input.runID()))] }
        route(.post, "runs/update", updateRun)
        route(.post, "runs/delete") { input, _ in
            try await tracking.setRunLifecycle(id: try input.runID(), .deleted)
            return MLflowJSON.empty
        }
        route(.post, "runs/restore") { input, _ in
            try await tracking.setRunLifecycle(id: try input.runID(), .active)
            return MLflowJSON.empty
        }
        route(.post, "runs/log-metric") { input, _ in
            try await tracking.logBatch(runID: try input.runID(), metrics: [try input.metric(timestampDefault: epochMilliseconds())])
            return MLflowJSON.empty
        }
        route(.post, "runs/log-parameter") { input, _ in
            try await tracking.logBatch(runID: try input.runID(), params: [try input.tag()])
            return MLflowJSON.empty
        }
        route(.post, "runs/set-tag") { input, _ in
            try await tracking.logBatch(runID: try input.runID(), tags: [try input.tag()])
            return MLflowJSON.empty
        }
        route(.post, "runs/delete-tag") { input, _ in
            try await tracking.deleteTag(runID: try input.runID(), key: try input.require("key"))
            return MLflowJSON.empty
        }
        route(.post, "runs/log-batch", logBatch)
        route(.post, "runs/search", searchRuns)
        route(.post, "runs/log-inputs") { input, _ in
            try await tracking.logInputs(runID: try input.runID(), try input.rawArray("datasets"))
            return MLflowJSON.empty
        }
        route(.post, "runs/log-outputs") { input, _ in
            try await tracking.logOutputs(runID: try input.runID(), try input.rawArray("models"))
            return MLflowJSON.empty
        }
        route(.get, "metrics/get-history", metricHistory)
        // Kiln records no "logged models" (MLflow 3's model entities); the route must exist
        // because the client asks before listing artifact folders.
        route(.post, "logged-models/search") { _, _ in MLflowJSON.empty }
    }

    @Sendable func createExperiment(_ input: MLflowInput, _ context: KilnRequestContext) async throws -> [String: JSONValue] {
        let experiment = try await tracking.createExperiment(
            name: try input.require("name"), artifactLocation: try input.string("artifact_location"), tags: try input.tags("tags"))
        return ["experiment_id": .string(String(experiment.id))]
    }

    @Sendable func getExperiment(_ input: MLflowInput, _ context: KilnRequestContext) async throws -> [String: JSONValue] {
        ["experiment": MLflowJSON.experiment(try await tracking.experiment(id: try input.require("experiment_id")))]
    }

    @Sendable func getExperimentByName(_ input: MLflowInput, _ context: KilnRequestContext) async throws -> [String: JSONValue] {
        ["experiment": MLflowJSON.experiment(try await tracking.experiment(named: try input.require("experiment_name"), creating: false))]
    }

    @Sendable func searchExperiments(_ input: MLflowInput, _ context: KilnRequestContext) async throws -> [String: JSONValue] {
        let page = try await tracking.searchExperiments(
            view: try Self.viewType(input), filter: try input.string("filter"), orderBy: try input.strings("order_by"),
            maxResults: try input.int("max_results"), pageToken: try input.string("page_token"))
        return MLflowJSON.withPageToken(["experiments": .array(page.items.map(MLflowJSON.experiment))], page.nextPageToken)
    }

    @Sendable func updateExperiment(_ input: MLflowInput, _ context: KilnRequestContext) async throws -> [String: JSONValue] {
        let id = try input.require("experiment_id")
        if let name = try input.string("new_name") { try await tracking.renameExperiment(id: id, to: name) }
        return MLflowJSON.empty
    }

    @Sendable func createRun(_ input: MLflowInput, _ context: KilnRequestContext) async throws -> [String: JSONValue] {
        let principal = try context.principal()
        let run = try await tracking.createRun(
            experimentID: try input.string("experiment_id"),
            userID: try input.string("user_id").flatMap { $0.isEmpty ? nil : $0 } ?? principal.id,
            name: try input.string("run_name"), startTime: try input.int64("start_time"), tags: try input.tags("tags"))
        return ["run": MLflowJSON.run(run)]
    }

    @Sendable func updateRun(_ input: MLflowInput, _ context: KilnRequestContext) async throws -> [String: JSONValue] {
        var status: RunStatus?
        if let text = try input.string("status") {
            guard let parsed = RunStatus(rawValue: text) else { throw MLflowInput.invalid("status", .string(text)) }
            status = parsed
        }
        let info = try await tracking.updateRun(
            id: try input.runID(), status: status, endTime: try input.int64("end_time"), name: try input.string("run_name"))
        return ["run_info": MLflowJSON.runInfo(info)]
    }

    @Sendable func logBatch(_ input: MLflowInput, _ context: KilnRequestContext) async throws -> [String: JSONValue] {
        let now = epochMilliseconds()
        try await tracking.logBatch(
            runID: try input.runID(),
            metrics: try input.objects("metrics").map { try $0.metric(timestampDefault: now) },
            params: try input.tags("params"), tags: try input.tags("tags"))
        return MLflowJSON.empty
    }

    @Sendable func searchRuns(_ input: MLflowInput, _ context: KilnRequestContext) async throws -> [String: JSONValue] {
        let page = try await tracking.searchRuns(
            experimentIDs: try input.strings("experiment_ids"), filter: try input.string("filter"), view: try Self.viewType(input, key: "run_view_type"),
            orderBy: try input.strings("order_by"), maxResults: try input.int("max_results"), pageToken: try input.string("page_token"))
        return MLflowJSON.withPageToken(["runs": .array(page.items.map(MLflowJSON.run))], page.nextPageToken)
    }

    @Sendable func metricHistory(_ input: MLflowInput, _ context: KilnRequestContext) async throws -> [String: JSONValue] {
        let page = try await tracking.metricHistory(
            runID: try input.runID(), key: try input.require("metric_key"),
            maxResults: try input.int("max_results"), pageToken: try input.string("page_token"))
        return MLflowJSON.withPageToken(["metrics": .array(page.items.map(MLflowJSON.metric))], page.nextPageToken)
    }

    static func viewType(_ input: MLflowInput, key: String = "view_type") throws -> ViewType {
        guard let text = try input.string(key) else { return .activeOnly }
        guard let view = ViewType(rawValue: text.uppercased()) else { throw MLflowInput.invalid(key, .string(text)) }
        return view
    }
}
