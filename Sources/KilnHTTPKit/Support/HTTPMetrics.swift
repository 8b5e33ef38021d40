import CoreMetrics
import Foundation
import KilnCore
import Prometheus
import Synchronization

/// The HTTP layer's metrics, recorded through swift-metrics into the application's own
/// Prometheus registry (passed in, never global, so tests and several apps don't collide).
public struct HTTPMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    /// Shared with the serving layer so that every metric lands in the same registry.
    public let factory: PrometheusMetricsFactory
    private let inFlight: CoreMetrics.Meter
    private let residentMemory: CoreMetrics.Gauge
    private let heapInUse: CoreMetrics.Gauge
    private let dataDirectoryFree: CoreMetrics.Gauge
    /// Counts since start, for the dashboards (Prometheus has the same by route).
    public let totals = HTTPTotals()

    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5),
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(30),
        ]
        factory.valueHistogramBuckets["kiln_model_batch_size"] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]
        self.factory = factory
        self.inFlight = CoreMetrics.Meter(label: "kiln_http_requests_in_flight", factory: factory)
        self.residentMemory = CoreMetrics.Gauge(label: "kiln_process_resident_memory_bytes", factory: factory)
        self.heapInUse = CoreMetrics.Gauge(label: "kiln_process_heap_in_use_bytes", factory: factory)
        self.dataDirectoryFree = CoreMetrics.Gauge(label: "kiln_data_dir_free_bytes", factory: factory)
    }

    public func requestStarted() {
        inFlight.increment()
    }

    public func requestFinished(route: String, method: String, status: Int, duration: Duration) {
        inFlight.decrement()
        totals.record(status: status)
        let dimensions = [("route", route), ("method", method), ("status", String(status))]
        CoreMetrics.Counter(label: "kiln_http_requests_total", dimensions: dimensions, factory: factory).increment()
        CoreMetrics.Timer(label: "kiln_http_request_duration_seconds", dimensions: dimensions, factory: factory)
            .recordNanoseconds(duration.nanosecondsValue)
    }

    /// The exposition text, with process figures refreshed at scrape time.
    /// - Parameter dataDirectoryFreeBytes: free space on the data directory's volume, read now.
    public func exposition(dataDirectoryFreeBytes: Int64? = nil) -> [UInt8] {
        if let rss = ProcessStats.residentMemoryBytes() {
            residentMemory.record(rss)
        }
        heapInUse.record(ProcessStats.heapInUseBytes())
        if let free = dataDirectoryFreeBytes {
            dataDirectoryFree.record(free)
        }
        return registry.emitToBuffer()
    }
}

/// Requests and server errors since start.
public final class HTTPTotals: Sendable {
    private let counts = Mutex<(requests: Int, serverErrors: Int)>((0, 0))

    public func record(status: Int) {
        counts.withLock { counts in
            counts.requests += 1
            if status >= 500 { counts.serverErrors += 1 }
        }
    }

    public var snapshot: (requests: Int, serverErrors: Int) { counts.withLock { $0 } }
}
