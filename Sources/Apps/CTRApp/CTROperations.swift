import Foundation
import KilnCore
import KilnJobs
import KilnLLM
import KilnServing

/// The CTR app's monitoring: `/api/performance/{run_id}`, `/api/dashboard/si`,
/// `/api/dashboard/client` and the messages of `WS /ws/performance`.
public struct CTROperations: Sendable {
    let service: CTRService
    let report: CTRReport
    let settings: CTRSettings
    let jobs: JobService
    let latencies: ServingLatencies
    let models: @Sendable () -> [ModelStatus]
    let health: @Sendable () -> ServerHealth

    public init(service: CTRService, settings: CTRSettings, llm: ChatCompletionsClientProvider, jobs: JobService,
                latencies: ServingLatencies, models: @escaping @Sendable () -> [ModelStatus], health: @escaping @Sendable () -> ServerHealth) {
        self.service = service
        self.settings = settings
        self.report = CTRReport(settings: settings, llm: llm.client)
        self.jobs = jobs
        self.latencies = latencies
        self.models = models
        self.health = health
    }

    /// `GET /api/report/ai/{run_id}?lang=ko|en`.
    public func aiReport(runID: String, language: String) async throws -> JSONValue {
        guard ["ko", "en"].contains(language) else { throw KilnError.invalidArgument("lang must be 'ko' or 'en'") }
        return await report.write(try await service.reader.results(runID: runID), language: language).json
    }

    /// `GET /api/performance/{run_id}`: validation quality and the served model's latency.
    public func performance(runID: String) async throws -> JSONValue {
        let results = try await service.reader.results(runID: runID)
        let metrics = results.evaluation.metrics
        var object: [String: JSONValue] = [
            "run_id": .string(runID),
            "accuracy": .number(metrics.accuracy), "precision": .number(metrics.precision), "recall": .number(metrics.recall),
            "f1_score": .number(metrics.f1Score), "auc": .number(metrics.auc), "log_loss": .number(metrics.logLoss),
            "evaluated_rows": .int(results.evaluation.rows),
        ]
        object.merge(latency(results), uniquingKeysWith: { $1 })
        return .object(object)
    }

    /// `response_time`: the p50 of the served model version's recent requests (queue + compute,
    /// milliseconds, up to the last 1024), null until it has served one.
    private func latency(_ results: CTRRunReader.RunResults) -> [String: JSONValue] {
        guard let name = results.modelName, let version = results.modelVersion,
              let window = latencies.existing(model: name, version: version), let stats = window.quantilesMilliseconds([0.5, 0.95]) else {
            return ["response_time": .null, "response_time_p95": .null, "response_time_samples": 0,
                    "model": results.modelName.map(JSONValue.string) ?? .null]
        }
        return ["response_time": .number(stats.values[0]), "response_time_p95": .number(stats.values[1]),
                "response_time_samples": .int(stats.samples), "model": .string("\(name)/\(version)")]
    }

    /// `GET /api/dashboard/si`: the operator's view.
    public func operatorDashboard() async throws -> JSONValue {
        let runs = try await service.runs()
        var byStatus: [String: Int] = [:]
        if case .array(let items) = runs {
            for case .object(let run) in items { if case .string(let status)? = run["status"] { byStatus[status, default: 0] += 1 } }
        }
        var jobCounts: [String: JSONValue] = [:]
        for state in [JobState.queued, .running] {
            jobCounts[state.rawValue] = .int(try await jobs.list(owner: nil, state: state, kind: nil, limit: 1000, before: nil).count)
        }
        let statuses = models()
        let latencyByModel = latencies.all().compactMapValues { window -> JSONValue? in
            guard let stats = window.quantilesMilliseconds([0.5, 0.95, 0.99]) else { return nil }
            return .object(["p50_ms": .number(stats.values[0]), "p95_ms": .number(stats.values[1]), "p99_ms": .number(stats.values[2]),
                            "samples": .int(stats.samples), "requests": .int(stats.total)])
        }
        return .object([
            "runs": .object(["total": .int(byStatus.values.reduce(0, +)), "by_status": .object(byStatus.mapValues(JSONValue.int))]),
            "jobs": .object(jobCounts),
            "models": .object([
                "ready": .int(statuses.filter { $0.state == .ready }.count),
                "unavailable": .int(statuses.filter { $0.state == .unavailable }.count),
                "versions": .array(statuses.map { .object(["name": .string($0.name), "version": $0.version.map { .int($0) } ?? .null, "state": .string($0.state.rawValue)]) }),
            ]),
            "latency": .object(latencyByModel),
            "system": systemHealth(health()),
        ])
    }

    /// `GET /api/dashboard/client`: the business view of the newest finished run.
    public func clientDashboard() async throws -> JSONValue {
        guard let runID = try await service.reader.latestFinishedRunID() else {
            return .object(["run_id": .null, "message": "no finished CTR training yet"])
        }
        let results = try await service.reader.results(runID: runID)
        let facts = report.facts(results)
        return .object([
            "run_id": .string(runID), "model": .string(facts.model),
            "ctr": .number(facts.baseCTR), "top_decile_ctr": .number(facts.topDecileCTR), "lift": .number(facts.lift),
            "roiIncrease": .number(facts.roiIncrease), "additionalClicks": .number(facts.additionalClicks),
            "additionalRevenue": .number(facts.additionalRevenue), "currency": .string(facts.currency),
            "deciles": .array(results.evaluation.deciles.enumerated().map { index, decile in
                .object(["decile": .int(index + 1), "rows": .int(decile.rows), "clicks": .int(decile.clicks),
                         "ctr": .number(decile.ctr * 100), "lift": .number(decile.lift)])
            }),
        ])
    }

    func systemHealth(_ health: ServerHealth) -> JSONValue {
        .object([
            "cpu_usage": health.cpuUsage.map { .number(CTRReport.round($0, 1)) } ?? .null,
            "memory_usage": health.memoryUsage.map { .number(CTRReport.round($0, 1)) } ?? .null,
            "resident_memory_bytes": health.residentBytes.map { .int($0) } ?? .null,
            "api_success_rate": .number(CTRReport.round(health.successRate, 2)),
            "error_rate": .number(CTRReport.round(100 - health.successRate, 2)),
            "requests": .int(health.requests),
            "uptime_seconds": .number(health.uptimeSeconds.rounded()),
        ])
    }

    /// One round of `WS /ws/performance` for `runID` (default: the newest finished run):
    /// `metrics_update`, `system_health`, and a `performance_alert` per threshold crossed
    /// that was not crossed in the previous round (`crossed` carries that state).
    public func performanceMessages(runID: String?, crossed: inout Set<String>) async throws -> [JSONValue] {
        var messages: [JSONValue] = []
        let target: String?
        if let runID { target = runID } else { target = try await service.reader.latestFinishedRunID() }
        if let target, case .object(let metrics) = try await performance(runID: target) {
            messages.append(.object(["type": "metrics_update", "run_id": .string(target), "metrics": .object(metrics)]))
            var now: Set<String> = []
            if case .number(let accuracy)? = metrics["accuracy"], accuracy < settings.alertMinAccuracy {
                now.insert("accuracy")
                if !crossed.contains("accuracy") {
                    messages.append(alert(target, metric: "accuracy", value: accuracy, threshold: settings.alertMinAccuracy, comparison: "below", metrics: metrics))
                }
            }
            if case .number(let latency)? = metrics["response_time"], latency > settings.alertMaxResponseMilliseconds {
                now.insert("response_time")
                if !crossed.contains("response_time") {
                    messages.append(alert(target, metric: "response_time", value: latency, threshold: settings.alertMaxResponseMilliseconds, comparison: "above", metrics: metrics))
                }
            }
            crossed = now
        }
        messages.append(.object(["type": "system_health", "health": systemHealth(health())]))
        return messages
    }

    /// The seed's alert (`severity`, `message`, `metrics`) plus what crossed which threshold.
    /// `high` when the value is more than 10% of the threshold past it, else `medium`.
    func alert(_ runID: String, metric: String, value: Double, threshold: Double, comparison: String, metrics: [String: JSONValue]) -> JSONValue {
        let past = comparison == "below" ? threshold - value : value - threshold
        return .object([
            "type": "performance_alert", "run_id": .string(runID), "metric": .string(metric), "value": .number(value),
            "threshold": .number(threshold), "comparison": .string(comparison),
            "severity": .string(past > abs(threshold) * 0.1 ? "high" : "medium"),
            "message": .string("\(metric) \(CTRReport.round(value, 3)) is \(comparison) the threshold \(threshold)"),
            "metrics": .object(metrics),
        ])
    }

    public var interval: Duration { .milliseconds(Int64(settings.performanceIntervalSeconds * 1000)) }
}
