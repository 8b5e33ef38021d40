import Foundation
import Hummingbird
import KilnCore
import KilnHTTPKit
import KilnTracking
import NIOCore

/// Tracking and registry records in the JSON shapes MLflow's clients parse (protobuf field
/// names, times in epoch milliseconds, enums by name, NaN and infinities as strings).
enum MLflowJSON {
    /// A 200 with the object as JSON.
    static func response(_ object: [String: JSONValue]) -> Response {
        JSONBody.response(json: .object(object))
    }

    static let empty: [String: JSONValue] = [:]

    static func number(_ value: Int64) -> JSONValue { .number(Double(value)) }

    static func metricValue(_ value: Double) -> JSONValue {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return .string(value > 0 ? "Infinity" : "-Infinity") }
        return .number(value)
    }

    static func tags(_ tags: [TrackingTag]) -> JSONValue {
        .array(tags.map { .object(["key": .string($0.key), "value": .string($0.value)]) })
    }

    static func experiment(_ experiment: Experiment) -> JSONValue {
        .object([
            "experiment_id": .string(String(experiment.id)),
            "name": .string(experiment.name),
            "artifact_location": .string(experiment.artifactLocation),
            "lifecycle_stage": .string(experiment.lifecycleStage.rawValue),
            "creation_time": number(experiment.creationTime),
            "last_update_time": number(experiment.lastUpdateTime),
            "tags": tags(experiment.tags),
        ])
    }

    static func runInfo(_ info: RunInfo) -> JSONValue {
        var object: [String: JSONValue] = [
            "run_id": .string(info.runID),
            "run_uuid": .string(info.runID),
            "run_name": .string(info.name),
            "experiment_id": .string(String(info.experimentID)),
            "user_id": .string(info.userID),
            "status": .string(info.status.rawValue),
            "start_time": number(info.startTime),
            "artifact_uri": .string(info.artifactURI),
            "lifecycle_stage": .string(info.lifecycleStage.rawValue),
        ]
        if let end = info.endTime { object["end_time"] = number(end) }
        return .object(object)
    }

    static func metric(_ metric: Metric) -> JSONValue {
        .object([
            "key": .string(metric.key),
            "value": metricValue(metric.value),
            "timestamp": number(metric.timestamp),
            "step": number(metric.step),
        ])
    }

    /// Empty lists and messages are left out, as MLflow's server leaves them out: the client
    /// parses every field it gets, and a search page holds up to 50,000 runs.
    static func run(_ run: Run) -> JSONValue {
        var data: [String: JSONValue] = [:]
        if !run.metrics.isEmpty { data["metrics"] = .array(run.metrics.map(metric)) }
        if !run.params.isEmpty { data["params"] = tags(run.params) }
        if !run.tags.isEmpty { data["tags"] = tags(run.tags) }
        var object: [String: JSONValue] = ["info": runInfo(run.info), "data": .object(data)]
        object["inputs"] = .object(run.inputs.isEmpty ? [:] : ["dataset_inputs": .array(run.inputs)])
        object["outputs"] = .object(run.outputs.isEmpty ? [:] : ["model_outputs": .array(run.outputs)])
        return .object(object)
    }

    static func registeredModel(_ view: RegistryService.ModelView) -> JSONValue {
        var object: [String: JSONValue] = [
            "name": .string(view.model.name),
            "creation_timestamp": number(view.model.creationTime),
            "last_updated_timestamp": number(view.model.lastUpdatedTime),
            "latest_versions": .array(view.latestVersions.map { version in
                modelVersion(RegistryService.VersionView(
                    version: version, aliases: view.aliases.filter { $0.value == version.version }.map(\.key).sorted()))
            }),
            "tags": tags(view.model.tags),
            "aliases": .array(view.aliases.sorted { $0.key < $1.key }.map {
                .object(["alias": .string($0.key), "version": .string(String($0.value))])
            }),
        ]
        if !view.model.description.isEmpty { object["description"] = .string(view.model.description) }
        return .object(object)
    }

    static func modelVersion(_ view: RegistryService.VersionView) -> JSONValue {
        let version = view.version
        var object: [String: JSONValue] = [
            "name": .string(version.name),
            "version": .string(String(version.version)),
            "creation_timestamp": number(version.creationTime),
            "last_updated_timestamp": number(version.lastUpdatedTime),
            "user_id": .string(version.userID),
            "current_stage": .string(version.stage.rawValue),
            "source": .string(version.source),
            "run_id": .string(version.runID),
            // Registration is synchronous (a servable model is loaded before the answer), so a
            // version is READY when the client first sees it; PENDING would make it poll.
            "status": "READY",
            "tags": tags(version.tags),
            "aliases": .array(view.aliases.map(JSONValue.string)),
        ]
        if !version.description.isEmpty { object["description"] = .string(version.description) }
        return .object(object)
    }

    static func withPageToken(_ object: [String: JSONValue], _ token: String?) -> [String: JSONValue] {
        var object = object
        if let token { object["next_page_token"] = .string(token) }
        return object
    }
}
