import CoreMetrics

/// Per-model metrics, recorded through swift-metrics with the factory the application owns.
public struct ServingMetrics: Sendable {
    private let factory: (any MetricsFactory)?

    /// - Parameter factory: nil records nothing (engine tests, tools).
    public init(factory: (any MetricsFactory)?) {
        self.factory = factory
    }

    func dimensions(_ model: String, _ version: Int) -> [(String, String)] {
        [("model", model), ("version", String(version))]
    }

    func requestFinished(model: String, version: Int, outcome: String) {
        guard let factory else { return }
        CoreMetrics.Counter(label: "kiln_model_requests_total", dimensions: dimensions(model, version) + [("outcome", outcome)], factory: factory)
            .increment()
    }

    func batchExecuted(model: String, version: Int, requests: Int, rows: Int, queueNanoseconds: [Int64], computeNanoseconds: Int64) {
        guard let factory else { return }
        let dimensions = dimensions(model, version)
        CoreMetrics.Counter(label: "kiln_model_inferences_total", dimensions: dimensions, factory: factory).increment(by: rows)
        CoreMetrics.Counter(label: "kiln_model_executions_total", dimensions: dimensions, factory: factory).increment()
        let queue = CoreMetrics.Timer(label: "kiln_model_queue_duration_seconds", dimensions: dimensions, factory: factory)
        for nanoseconds in queueNanoseconds { queue.recordNanoseconds(nanoseconds) }
        CoreMetrics.Timer(label: "kiln_model_compute_duration_seconds", dimensions: dimensions, factory: factory)
            .recordNanoseconds(computeNanoseconds)
        CoreMetrics.Recorder(label: "kiln_model_batch_size", dimensions: dimensions, aggregate: true, factory: factory)
            .record(rows)
    }

    func pendingChanged(model: String, version: Int, by delta: Int) {
        guard let factory else { return }
        let meter = CoreMetrics.Meter(label: "kiln_model_pending_requests", dimensions: dimensions(model, version), factory: factory)
        if delta > 0 { meter.increment(by: Double(delta)) } else { meter.decrement(by: Double(-delta)) }
    }

    func loadedChanged(model: String, version: Int, loaded: Bool, artifactBytes: Int) {
        guard let factory else { return }
        let dimensions = dimensions(model, version)
        CoreMetrics.Gauge(label: "kiln_model_loaded", dimensions: dimensions, factory: factory).record(loaded ? 1 : 0)
        CoreMetrics.Gauge(label: "kiln_model_artifact_bytes", dimensions: dimensions, factory: factory).record(loaded ? artifactBytes : 0)
    }
}
