import Synchronization

/// The most recent latencies of something (a model version), for dashboards that want a
/// median "now" rather than Prometheus's cumulative buckets. A fixed ring: recording is O(1)
/// and never allocates; quantiles sort a copy when asked.
public final class LatencyWindow: Sendable {
    private struct Ring {
        var values: [Int64]
        var next = 0
        var count = 0
        var total = 0
    }

    private let ring: Mutex<Ring>

    public init(capacity: Int = 1024) {
        ring = Mutex(Ring(values: [Int64](repeating: 0, count: max(1, capacity))))
    }

    public func record(nanoseconds: Int64) {
        ring.withLock { ring in
            ring.values[ring.next] = nanoseconds
            ring.next = (ring.next + 1) % ring.values.count
            ring.count = min(ring.count + 1, ring.values.count)
            ring.total += 1
        }
    }

    /// Quantiles (0…1) in milliseconds over the window, and the number of samples; nil when empty.
    public func quantilesMilliseconds(_ quantiles: [Double]) -> (values: [Double], samples: Int, total: Int)? {
        let (samples, total) = ring.withLock { ring in (Array(ring.values.prefix(ring.count)), ring.total) }
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        return (quantiles.map { q in
            Double(sorted[min(sorted.count - 1, Int((q * Double(sorted.count - 1)).rounded()))]) / 1e6
        }, samples.count, total)
    }
}
