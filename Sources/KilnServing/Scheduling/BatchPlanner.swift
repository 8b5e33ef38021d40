/// The dynamic batcher's decisions, as a pure function of the queue, the work in progress and
/// the time.
///
/// Requests are taken in arrival order. A batch runs at once when it is full (the next request
/// would not fit), when it reaches a preferred size, when the oldest request has waited
/// `maxQueueDelay`, or when nothing is executing: with every instance idle no running request
/// can finish and be followed by another soon, so waiting would only add latency (at
/// concurrency 1 it would add the whole delay to every request), while under load requests
/// queue up behind the running batch and form the next one by themselves. Otherwise the
/// executor waits until the delay has passed.
public struct BatchPlanner: Sendable, Equatable {
    public enum Decision: Equatable, Sendable {
        /// Run the first `requests` queued requests as one batch.
        case run(requests: Int)
        /// Nothing to run before `until`.
        case wait(until: ContinuousClock.Instant)
        case idle
    }

    /// 0: no batching; each request runs alone.
    public let maxBatchSize: Int
    public let maxQueueDelay: Duration
    public let preferredBatchSizes: [Int]

    public init(maxBatchSize: Int, maxQueueDelay: Duration, preferredBatchSizes: [Int] = []) {
        self.maxBatchSize = maxBatchSize
        self.maxQueueDelay = maxQueueDelay
        self.preferredBatchSizes = preferredBatchSizes.filter { $0 > 0 && $0 <= maxBatchSize }
    }

    /// - Parameters:
    ///   - queued: batch size and arrival time of each queued request, oldest first.
    ///   - executing: batches running on the model's other instances right now.
    public func decide(
        queued: [(size: Int, arrived: ContinuousClock.Instant)], executing: Int = 1, now: ContinuousClock.Instant
    ) -> Decision {
        guard let oldest = queued.first else { return .idle }
        guard maxBatchSize > 0 else { return .run(requests: 1) }
        var total = 0
        var count = 0
        var preferredCount = 0
        for request in queued {
            guard total + request.size <= maxBatchSize else {
                // The next request does not fit: the batch is as full as it gets.
                return .run(requests: max(count, 1))
            }
            total += request.size
            count += 1
            if preferredBatchSizes.contains(total) { preferredCount = count }
        }
        if total == maxBatchSize || executing == 0 { return .run(requests: count) }
        let deadline = oldest.arrived + maxQueueDelay
        if now >= deadline { return .run(requests: count) }
        if preferredCount > 0 && preferredCount == count { return .run(requests: count) }
        return .wait(until: deadline)
    }
}
