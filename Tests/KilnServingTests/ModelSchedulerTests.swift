import Foundation
import KilnCore
import KilnServing
import Synchronization
import Testing

/// A runtime that records every batch it runs and holds each one for `delay`.
final class RecordingRuntime: ModelRuntime {
    let batches = Mutex<[[Float]]>([])
    let delay: Duration

    init(delay: Duration) {
        self.delay = delay
    }

    func execute(_ inputs: [Tensor]) throws -> [Tensor] {
        Thread.sleep(forTimeInterval: Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18)
        let values = inputs[0].float32Values()
        batches.withLock { $0.append(values) }
        return [Tensor.float32(values.map { $0 * 2 }, shape: inputs[0].shape)]
    }
}

@Suite struct ModelSchedulerTests {
    func withScheduler<T: Sendable>(
        runtime: RecordingRuntime, maxBatch: Int = 8, delay: Duration = .milliseconds(50), maxQueue: Int = 100,
        _ body: @Sendable (ModelScheduler) async throws -> T
    ) async throws -> T {
        let scheduler = ModelScheduler(
            runtime: runtime, planner: BatchPlanner(maxBatchSize: maxBatch, maxQueueDelay: delay), instances: 1, maxQueueSize: maxQueue)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { await scheduler.runExecutorForTesting(); return nil }
            let result = try await body(scheduler)
            scheduler.closeForTesting()
            for try await _ in group {}
            return result
        }
    }

    func one(_ value: Float) -> [Tensor] { [Tensor.float32([value], shape: [1, 1])] }

    @Test func requestsQueuedBehindARunningBatchAreBatchedTogether() async throws {
        let runtime = RecordingRuntime(delay: .milliseconds(100))
        try await withScheduler(runtime: runtime) { scheduler in
            try await withThrowingTaskGroup(of: [Float].self) { group in
                group.addTask { try await scheduler.infer(self.one(1), batchSize: 1, deadline: nil)[0].float32Values() }
                try await Task.sleep(for: .milliseconds(20))
                for value in [2, 3, 4] as [Float] {
                    group.addTask { try await scheduler.infer(self.one(value), batchSize: 1, deadline: nil)[0].float32Values() }
                }
                var answers: [Float] = []
                for try await answer in group { answers += answer }
                #expect(answers.sorted() == [2, 4, 6, 8])
            }
        }
        // The first ran alone (nothing was executing); the next three queued behind it and ran as one batch.
        #expect(runtime.batches.withLock { $0 } == [[1], [2, 3, 4]])
    }

    @Test func aCancelledRequestIsDroppedBeforeItRuns() async throws {
        let runtime = RecordingRuntime(delay: .milliseconds(150))
        try await withScheduler(runtime: runtime) { scheduler in
            let first = Task { try await scheduler.infer(self.one(1), batchSize: 1, deadline: nil) }
            try await Task.sleep(for: .milliseconds(30))
            let abandoned = Task { try await scheduler.infer(self.one(99), batchSize: 1, deadline: nil) }
            try await Task.sleep(for: .milliseconds(30))
            abandoned.cancel()
            await #expect(throws: CancellationError.self) { try await abandoned.value }
            _ = try await first.value
            #expect(try await scheduler.infer(self.one(5), batchSize: 1, deadline: nil)[0].float32Values() == [10])
        }
        #expect(!runtime.batches.withLock { $0 }.flatMap { $0 }.contains(99))
    }

    @Test func aFullQueueIsRefusedAndDeadlinesExpire() async throws {
        let runtime = RecordingRuntime(delay: .milliseconds(200))
        try await withScheduler(runtime: runtime, maxQueue: 1) { scheduler in
            let running = Task { try await scheduler.infer(self.one(1), batchSize: 1, deadline: nil) }
            try await Task.sleep(for: .milliseconds(30))
            let queued = Task { try await scheduler.infer(self.one(2), batchSize: 1, deadline: .now + .milliseconds(50)) }
            try await Task.sleep(for: .milliseconds(20))
            do {
                _ = try await scheduler.infer(self.one(3), batchSize: 1, deadline: nil)
                Issue.record("expected a full queue")
            } catch let error as KilnError {
                #expect(error.code == .unavailable && error.details["retry_after_seconds"] != nil)
            }
            do {
                _ = try await queued.value
                Issue.record("expected a deadline error")
            } catch let error as KilnError {
                #expect(error.code == .deadlineExceeded)
            }
            _ = try await running.value
        }
    }
}
