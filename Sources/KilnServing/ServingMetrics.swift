import CoreMetrics
import KilnCore
import Synchronization

/// Per-model metrics, recorded through swift-metrics with the factory the application owns,
/// plus recent request latencies per model version (`ServingLatencies`) for the dashboards.
public struct ServingMetrics: Sendable {
    private let factory: (any MetricsFactory)?
    public let latencies: ServingLatencies

    /// - Parameter factory: nil records nothing (engine tests, tools).
    public init(factory: (any MetricsFactory)?, latencies: ServingLatencies = ServingLatencies()) {
        self.factory = factory
        self.latencies = latencies
    }

    /// The handles for one model version, made once so that the hot path does no registry lookups.
    func forModel(_ name: String, version: Int) -> ModelMetrics {
        ModelMetrics(factory: factory, dimensions: [("model", name), ("version", String(version))],
                     latency: factory == nil ? nil : latencies.window(model: name, version: version))
    }
}

/// Recent queue + compute time of each request, per model version.
public final class ServingLatencies: Sendable {
    private let windows = Mutex<[String: LatencyWindow]>([:])

    public init() {}

    func window(model: String, version: Int) -> LatencyWindow {
        windows.withLock { windows in
            let key = "\(model)/\(version)"
            if let window = windows[key] { return window }
            let window = LatencyWindow()
            windows[key] = window
            return window
        }
    }

    /// The window of one version, if it has served anything since start.
    public func existing(model: String, version: Int) -> LatencyWindow? {
        windows.withLock { $0["\(model)/\(version)"] }
    }

    /// Every version's window, by `name/version`.
    public func all() -> [String: LatencyWindow] {
        windows.withLock { $0 }
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
    private let latency: LatencyWindow?

    init(factory: (any MetricsFactory)?, dimensions: [(String, String)], latency: LatencyWindow? = nil) {
        self.latency = latency
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
        for nanoseconds in queueNanoseconds {
            handles.queue.recordNanoseconds(nanoseconds)
            latency?.record(nanoseconds: nanoseconds + computeNanoseconds)
        }
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
