import Foundation
import KilnCore
import KilnServing
import Synchronization
import Testing

/// A runtime that records every batch it runs. Each execution waits at a gate until the test
/// opens it, so a test can hold the first batch running while it queues others: the tests wait
/// for states (a batch executing, requests queued), never for a fixed time.
final class RecordingRuntime: ModelRuntime {
    let batches = Mutex<[[Float]]>([])
    /// Executions that have begun.
    let started = Mutex(0)
    private let gate = DispatchSemaphore(value: 0)

    func execute(_ inputs: [Tensor]) throws -> [Tensor] {
        started.withLock { $0 += 1 }
        // Bounded, so a failed test cannot hang the suite: an unopened gate lets go after 10 s.
        _ = gate.wait(timeout: .now() + 10)
        gate.signal()  // open stays open
        let values = inputs[0].float32Values()
        batches.withLock { $0.append(values) }
        return [Tensor.float32(values.map { $0 * 2 }, shape: inputs[0].shape)]
    }

    func open() { gate.signal() }
}

/// Polls `condition` until it holds, failing after `seconds` (a deadline on every wait).
func waitUntil(_ what: String, within seconds: Double = 10, _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while !condition() {
        guard ContinuousClock.now < deadline else { throw KilnError(.deadlineExceeded, "never happened: \(what)") }
        try await Task.sleep(for: .milliseconds(2))
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
        let runtime = RecordingRuntime()
        try await withScheduler(runtime: runtime) { scheduler in
            try await withThrowingTaskGroup(of: [Float].self) { group in
                group.addTask { try await scheduler.infer(self.one(1), batchSize: 1, deadline: nil)[0].float32Values() }
                try await waitUntil("the first request executes") { runtime.started.withLock { $0 } == 1 }
                for value in [2, 3, 4] as [Float] {
                    group.addTask { try await scheduler.infer(self.one(value), batchSize: 1, deadline: nil)[0].float32Values() }
                }
                try await waitUntil("three requests queue behind it") { scheduler.inFlight == 4 }
                runtime.open()
                var answers: [Float] = []
                for try await answer in group { answers += answer }
                #expect(answers.sorted() == [2, 4, 6, 8])
            }
        }
        // The first ran alone (nothing was executing); the next three queued behind it and ran as
        // one batch (submitted concurrently, so their order inside it is not fixed).
        #expect(runtime.batches.withLock { $0 }.map { $0.sorted() } == [[1], [2, 3, 4]])
    }

    @Test func aCancelledRequestIsDroppedBeforeItRuns() async throws {
        let runtime = RecordingRuntime()
        try await withScheduler(runtime: runtime) { scheduler in
            let first = Task { try await scheduler.infer(self.one(1), batchSize: 1, deadline: nil) }
            try await waitUntil("the first request executes") { runtime.started.withLock { $0 } == 1 }
            let abandoned = Task { try await scheduler.infer(self.one(99), batchSize: 1, deadline: nil) }
            try await waitUntil("the second request is queued") { scheduler.inFlight == 2 }
            abandoned.cancel()
            await #expect(throws: CancellationError.self) { try await abandoned.value }
            #expect(scheduler.inFlight == 1, "the cancelled request left the queue")
            runtime.open()
            _ = try await first.value
            #expect(try await scheduler.infer(self.one(5), batchSize: 1, deadline: nil)[0].float32Values() == [10])
        }
        #expect(!runtime.batches.withLock { $0 }.flatMap { $0 }.contains(99))
    }

    @Test func aFullQueueIsRefusedAndDeadlinesExpire() async throws {
        let runtime = RecordingRuntime()
        try await withScheduler(runtime: runtime, maxQueue: 1) { scheduler in
            let running = Task { try await scheduler.infer(self.one(1), batchSize: 1, deadline: nil) }
            try await waitUntil("the first request executes") { runtime.started.withLock { $0 } == 1 }
            let deadline = ContinuousClock.now + .milliseconds(50)
            let queued = Task { try await scheduler.infer(self.one(2), batchSize: 1, deadline: deadline) }
            try await waitUntil("the second request is queued") { scheduler.inFlight == 2 }
            do {
                _ = try await scheduler.infer(self.one(3), batchSize: 1, deadline: nil)
                Issue.record("expected a full queue")
            } catch let error as KilnError {
                #expect(error.code == .unavailable && error.details["retry_after_seconds"] != nil)
            }
            // The queued request's deadline passes while the first still runs.
            try await Task.sleep(until: deadline + .milliseconds(10))
            runtime.open()
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
