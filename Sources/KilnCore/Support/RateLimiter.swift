import Synchronization

/// Per-caller token buckets: each caller may make `burst` requests at once and `rate` per
/// second sustained. Pure bookkeeping; the time is passed in so tests control it.
public final class RateLimiter: Sendable {
    public enum Decision: Equatable, Sendable {
        case allowed
        /// Seconds until one request would be allowed again (rounded up, at least 1).
        case limited(retryAfterSeconds: Int)
    }

    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private let rate: Double
    private let burst: Double
    private let maxCallers: Int
    private let buckets = Mutex<[String: Bucket]>([:])

    /// - Parameter maxCallers: bounds memory; when exceeded, buckets that have refilled are dropped.
    public init(ratePerSecond: Double, burst: Int, maxCallers: Int = 100_000) {
        self.rate = ratePerSecond
        self.burst = Double(max(burst, 1))
        self.maxCallers = maxCallers
    }

    public var isEnabled: Bool { rate > 0 }

    /// How many callers' buckets are held (at most `maxCallers` + 1 after any check, unless more
    /// callers than that are still below a full burst).
    public var trackedCallers: Int { buckets.withLock { $0.count } }

    public func check(caller: String, now: ContinuousClock.Instant = .now) -> Decision {
        guard isEnabled else { return .allowed }
        return buckets.withLock { buckets in
            var bucket = buckets[caller] ?? Bucket(tokens: burst, updated: now)
            let elapsed = (now - bucket.updated).secondsValue
            bucket.tokens = min(burst, bucket.tokens + max(0, elapsed) * rate)
            bucket.updated = now
            let decision: Decision
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                decision = .allowed
            } else {
                let wait = (1 - bucket.tokens) / rate
                decision = .limited(retryAfterSeconds: max(1, Int(wait.rounded(.up))))
            }
            buckets[caller] = bucket
            if buckets.count > maxCallers {
                buckets = buckets.filter { $0.value.tokens + (now - $0.value.updated).secondsValue * rate < burst }
            }
            return decision
        }
    }
}
