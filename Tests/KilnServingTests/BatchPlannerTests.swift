import KilnServing
import Testing

@Suite struct BatchPlannerTests {
    let t0 = ContinuousClock.now

    func queue(_ sizes: [Int], ages: [Int]? = nil) -> [(size: Int, arrived: ContinuousClock.Instant)] {
        sizes.enumerated().map { index, size in (size, t0 + .microseconds(ages?[index] ?? 0)) }
    }

    @Test func emptyQueueIsIdle() {
        let planner = BatchPlanner(maxBatchSize: 8, maxQueueDelay: .microseconds(500))
        #expect(planner.decide(queued: [], now: t0) == .idle)
    }

    @Test func withoutBatchingEachRequestRunsAlone() {
        let planner = BatchPlanner(maxBatchSize: 0, maxQueueDelay: .microseconds(500))
        #expect(planner.decide(queued: queue([1, 1, 1]), now: t0) == .run(requests: 1))
    }

    @Test func waitsForMoreUntilTheOldestHasWaitedTheDelay() {
        let planner = BatchPlanner(maxBatchSize: 8, maxQueueDelay: .microseconds(500))
        #expect(planner.decide(queued: queue([1, 2]), now: t0 + .microseconds(100)) == .wait(until: t0 + .microseconds(500)))
        #expect(planner.decide(queued: queue([1, 2]), now: t0 + .microseconds(500)) == .run(requests: 2))
    }

    @Test func aFullBatchRunsAtOnce() {
        let planner = BatchPlanner(maxBatchSize: 4, maxQueueDelay: .seconds(1))
        #expect(planner.decide(queued: queue([2, 2, 1]), now: t0) == .run(requests: 2))
        #expect(planner.decide(queued: queue([1, 1, 1, 1]), now: t0) == .run(requests: 4))
        // A request that does not fit waits for the next batch, even if smaller ones follow.
        #expect(planner.decide(queued: queue([3, 2, 1]), now: t0) == .run(requests: 1))
    }

    @Test func preferredSizesRunWithoutWaiting() {
        let planner = BatchPlanner(maxBatchSize: 16, maxQueueDelay: .seconds(1), preferredBatchSizes: [4, 8])
        #expect(planner.decide(queued: queue([2, 2]), now: t0) == .run(requests: 2))
        #expect(planner.decide(queued: queue([2, 1]), now: t0) == .wait(until: t0 + .seconds(1)))
        // Preferred sizes beyond the maximum are ignored.
        #expect(BatchPlanner(maxBatchSize: 4, maxQueueDelay: .zero, preferredBatchSizes: [8]).preferredBatchSizes.isEmpty)
    }

    @Test func withEveryInstanceIdleTheQueueRunsWithoutWaiting() {
        let planner = BatchPlanner(maxBatchSize: 8, maxQueueDelay: .seconds(1))
        #expect(planner.decide(queued: queue([1]), executing: 0, now: t0) == .run(requests: 1))
        #expect(planner.decide(queued: queue([1, 2, 3]), executing: 0, now: t0) == .run(requests: 3))
        #expect(planner.decide(queued: queue([1]), executing: 1, now: t0) == .wait(until: t0 + .seconds(1)))
    }

    @Test func zeroDelayRunsWhatIsThere() {
        let planner = BatchPlanner(maxBatchSize: 8, maxQueueDelay: .zero)
        #expect(planner.decide(queued: queue([1, 1, 1]), now: t0) == .run(requests: 3))
    }
}
