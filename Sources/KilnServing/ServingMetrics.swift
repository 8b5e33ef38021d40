import CoreMetrics

/// Per-model metrics, recorded through swift-metrics with the factory the application owns.
public struct ServingMetrics: Sendable {
    private let factory: (any MetricsFactory)?

    /// - Parameter factory: nil records nothing (engine tests, tools).
    public init(factory: (any MetricsFactory)?) {
        self.factory = factory
    }

    /// The handles for one model version, made once so that the hot path does no registry lookups.
    func forModel(_ name: String, version: Int) -> ModelMetrics {
        ModelMetrics(factory: factory, dimensions: [("model", name), ("version", String(version))])
    }
}

struct ModelMetrics: Sendable {
    private struct Handles: Sendable {
        var outcomes: [String: CoreMetrics.Counter]
        var inferences: CoreMetrics.Counter
        var executions: CoreMetrics.Counter
        var queue: CoreMetrics.Timer
        var compute: CoreMetrics.Timer
        var batchSize: CoreMetrics.Recorder
        var pending: CoreMetrics.Meter
        var loaded: CoreMetrics.Gauge
        var artifactBytes: CoreMetrics.Gauge
    }

    static let outcomes = ["success", "failure", "rejected", "timeout", "cancelled"]
    private let handles: Handles?

    init(factory: (any MetricsFactory)?, dimensions: [(String, String)]) {
        guard let factory else {
            handles = nil
            return
        }
        handles = Handles(
            outcomes: Dictionary(uniqueKeysWithValues: Self.outcomes.map { outcome in
                (outcome, CoreMetrics.Counter(label: "kiln_model_requests_total", dimensions: dimensions + [("outcome", outcome)], factory: factory))
            }),
            inferences: CoreMetrics.Counter(label: "kiln_model_inferences_total", dimensions: dimensions, factory: factory),
            executions: CoreMetrics.Counter(label: "kiln_model_executions_total", dimensions: dimensions, factory: factory),
            queue: CoreMetrics.Timer(label: "kiln_model_queue_duration_seconds", dimensions: dimensions, factory: factory),
            compute: CoreMetrics.Timer(label: "kiln_model_compute_duration_seconds", dimensions: dimensions, factory: factory),
            batchSize: CoreMetrics.Recorder(label: "kiln_model_batch_size", dimensions: dimensions, aggregate: true, factory: factory),
            pending: CoreMetrics.Meter(label: "kiln_model_pending_requests", dimensions: dimensions, factory: factory),
            loaded: CoreMetrics.Gauge(label: "kiln_model_loaded", dimensions: dimensions, factory: factory),
            artifactBytes: CoreMetrics.Gauge(label: "kiln_model_artifact_bytes", dimensions: dimensions, factory: factory))
    }

    func requestFinished(outcome: String, count: Int = 1) {
        handles?.outcomes[outcome]?.increment(by: count)
    }

    func batchExecuted(rows: Int, queueNanoseconds: [Int64], computeNanoseconds: Int64) {
        guard let handles else { return }
        handles.inferences.increment(by: rows)
        handles.executions.increment()
        for nanoseconds in queueNanoseconds { handles.queue.recordNanoseconds(nanoseconds) }
        handles.compute.recordNanoseconds(computeNanoseconds)
        handles.batchSize.record(rows)
    }

    func pendingChanged(by delta: Int) {
        guard let handles else { return }
        if delta > 0 { handles.pending.increment(by: Double(delta)) } else { handles.pending.decrement(by: Double(-delta)) }
    }

    func loadedChanged(loaded: Bool, artifactBytes: Int) {
        handles?.loaded.record(loaded ? 1 : 0)
        handles?.artifactBytes.record(loaded ? artifactBytes : 0)
    }
}
