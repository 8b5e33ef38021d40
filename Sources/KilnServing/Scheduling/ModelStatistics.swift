/// Counters for one model version, in the shape of Triton's statistics extension.
public struct ModelStatistics: Sendable, Equatable {
    public struct Duration: Sendable, Equatable {
        public var count = 0
        public var nanoseconds: Int64 = 0

        public init() {}

        mutating func add(_ nanoseconds: Int64, count: Int = 1) {
            self.count += count
            self.nanoseconds += nanoseconds
        }
    }

    public struct BatchSize: Sendable, Equatable {
        public var computeInfer = Duration()
    }

    /// Requests, counting each row of a batched request (Triton's inference_count).
    public var inferenceCount = 0
    /// Runs of the model; fewer than requests when batching combines them.
    public var executionCount = 0
    public var lastInference: Int64 = 0
    public var success = Duration()
    public var fail = Duration()
    public var queue = Duration()
    public var computeInfer = Duration()
    public var batchSizes: [Int: BatchSize] = [:]

    public init() {}
}
