import KilnCore
import Testing

@Suite struct RateLimiterTests {
    @Test func burstThenSustainedRate() {
        let limiter = RateLimiter(ratePerSecond: 2, burst: 3)
        let start = ContinuousClock.now
        for _ in 0..<3 {
            #expect(limiter.check(caller: "a", now: start) == .allowed)
        }
        #expect(limiter.check(caller: "a", now: start) == .limited(retryAfterSeconds: 1))
        // Other callers have their own bucket.
        #expect(limiter.check(caller: "b", now: start) == .allowed)
        // Half a second refills one token at 2/s.
        #expect(limiter.check(caller: "a", now: start + .milliseconds(500)) == .allowed)
        #expect(limiter.check(caller: "a", now: start + .milliseconds(500)) != .allowed)
        // Refill never exceeds the burst.
        let later = start + .seconds(60)
        for _ in 0..<3 { #expect(limiter.check(caller: "a", now: later) == .allowed) }
        #expect(limiter.check(caller: "a", now: later) != .allowed)
    }

    @Test func retryAfterReflectsSlowRates() {
        let limiter = RateLimiter(ratePerSecond: 0.1, burst: 1)
        let now = ContinuousClock.now
        #expect(limiter.check(caller: "a", now: now) == .allowed)
        #expect(limiter.check(caller: "a", now: now) == .limited(retryAfterSeconds: 10))
    }

    @Test func zeroRateDisables() {
        let limiter = RateLimiter(ratePerSecond: 0, burst: 1)
        #expect(!limiter.isEnabled)
        for _ in 0..<100 { #expect(limiter.check(caller: "a") == .allowed) }
    }

    @Test func memoryIsBoundedByEvictingRefilledBuckets() {
        let limiter = RateLimiter(ratePerSecond: 1000, burst: 10, maxCallers: 100)
        let start = ContinuousClock.now
        for index in 0..<1000 {
            _ = limiter.check(caller: "caller-\(index)", now: start + .milliseconds(index * 10))
        }
        // Each caller's bucket refills 10 ms after its request: the map is pruned back under the bound.
        #expect(limiter.trackedCallers <= 101)
        // A fresh caller still gets its full burst.
        for _ in 0..<10 { #expect(limiter.check(caller: "fresh", now: start + .seconds(20)) == .allowed) }
    }

    @Test func evictionKeepsCallersThatAreStillLimited() {
        // A caller that used up its burst must not escape its limit because others filled the map.
        let limiter = RateLimiter(ratePerSecond: 0.001, burst: 1, maxCallers: 10)
        let now = ContinuousClock.now
        #expect(limiter.check(caller: "greedy", now: now) == .allowed)
        for index in 0..<50 { _ = limiter.check(caller: "other-\(index)", now: now) }
        #expect(limiter.check(caller: "greedy", now: now) != .allowed)
    }
}
