import Foundation
import KilnCore
import NIOPosix
import Synchronization

/// Queues a model version's requests, forms batches with `BatchPlanner`, and runs them on the
/// model's own compute threads (`instance_count` of them), never on the event loops.
public final class ModelScheduler: Sendable {
    struct Pending: Sendable {
        var id: UInt64
        var inputs: [Tensor]
        var size: Int
        var arrived: ContinuousClock.Instant
        var deadline: ContinuousClock.Instant?
        var continuation: CheckedContinuation<[Tensor], any Error>
    }

    enum Next: Sendable {
        case batch([Pending])
        case sleep(until: ContinuousClock.Instant)
        case recheck
        case stop
    }

    struct State: Sendable {
        var queue: [Pending] = []
        var waiters: [CheckedContinuation<Next, Never>] = []
        var closed = false
        var nextID: UInt64 = 0
        var statistics = ModelStatistics()
        /// Requests accepted and not yet answered (queued or executing).
        var inFlight = 0
        var runningExecutors = 0
        /// Batches running right now (an input of the batching decision).
        var executingBatches = 0
        var lastUsed = ContinuousClock.now
    }

    private let planner: BatchPlanner
    private let runtime: any ModelRuntime
    private let model: (name: String, version: Int)
    private let pool: NIOThreadPool
    private let maxQueueSize: Int
    private let state = Mutex(State())
    public let instances: Int
    let metrics: ModelMetrics

    public init(
        runtime: any ModelRuntime, planner: BatchPlanner, instances: Int, maxQueueSize: Int,
        model: (name: String, version: Int) = ("", 0), metrics: ServingMetrics = .init(factory: nil)
    ) {
        self.metrics = metrics.forModel(model.name, version: model.version)
        self.model = model
        self.runtime = runtime
        self.planner = planner
        self.instances = instances
        self.maxQueueSize = maxQueueSize
        self.pool = NIOThreadPool(numberOfThreads: instances)
        pool.start()
    }

    public var statistics: ModelStatistics { state.withLock { $0.statistics } }

    /// Queues one request and waits for its outputs. `batchSize` is its first dimension (1 when
    /// the model does not batch). A full queue answers `unavailable` at once; a request whose
    /// task is cancelled (its client went away) is dropped before it runs.
    public func infer(_ inputs: [Tensor], batchSize: Int, deadline: ContinuousClock.Instant?) async throws -> [Tensor] {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        if let deadline, deadline <= .now {
            metrics.requestFinished(outcome: "timeout")
            throw KilnError(.deadlineExceeded, "the request timed out while queued")
        }
        // Every instance idle and nothing queued: run now on the compute threads, without
        // handing the request to an executor first (one thread hop less at low load).
        let direct = state.withLock { state -> Bool in
            guard !state.closed, state.queue.isEmpty, state.executingBatches == 0, state.runningExecutors > 0 else { return false }
            state.executingBatches += 1
            state.inFlight += 1
            state.lastUsed = .now
            return true
        }
        if direct {
            metrics.pendingChanged(by: 1)
            return try await executeDirectly(inputs, size: batchSize)
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let pending = Pending(id: id, inputs: inputs, size: batchSize, arrived: .now, deadline: deadline, continuation: continuation)
                let (rejection, waiter) = state.withLock { state -> (KilnError?, CheckedContinuation<Next, Never>?) in
                    if state.closed { return (KilnError(.unavailable, "the model is being unloaded"), nil) }
                    guard state.queue.count < maxQueueSize else {
                        return (KilnError(.unavailable, "the model's queue is full (\(maxQueueSize) requests)",
                                          details: ["retry_after_seconds": .int(1)]), nil)
                    }
                    state.queue.append(pending)
                    state.inFlight += 1
                    state.lastUsed = .now
                    return (nil, state.waiters.popLast())
                }
                if let rejection {
                    metrics.requestFinished(outcome: "rejected")
                    continuation.resume(throwing: rejection)
                } else {
                    metrics.pendingChanged(by: 1)
                    waiter?.resume(returning: .recheck)
                }
            }
        } onCancel: {
            let dropped = state.withLock { state -> Pending? in
                guard let index = state.queue.firstIndex(where: { $0.id == id }) else { return nil }
                state.inFlight -= 1
                return state.queue.remove(at: index)
            }
            if let dropped {
                metrics.pendingChanged(by: -1)
                metrics.requestFinished(outcome: "cancelled")
                dropped.continuation.resume(throwing: CancellationError())
            }
        }
    }

    /// One executor: forms and runs batches until the scheduler is closed and drained.
    func runExecutor() async {
        state.withLock { $0.runningExecutors += 1 }
        defer {
            let last = state.withLock { state -> Bool in
                state.runningExecutors -= 1
                return state.runningExecutors == 0 && state.closed
            }
            // The last executor of a closed scheduler releases the compute threads.
            if last { pool.shutdownGracefully { _ in } }
        }
        while true {
            let next = await withCheckedContinuation { (continuation: CheckedContinuation<Next, Never>) in
                let (decision, expired) = state.withLock { state -> (Next?, [Pending]) in
                    let now = ContinuousClock.now
                    var expired: [Pending] = []
                    state.queue.removeAll { pending in
                        guard let deadline = pending.deadline, deadline <= now else { return false }
                        expired.append(pending)
                        return true
                    }
                    state.inFlight -= expired.count
                    // Every instance busy (a direct run or `perform` holds one outside the
                    // executors): a batch formed now would only wait for a compute thread,
                    // unseen by the queue metrics and closed to later arrivals. The batch that
                    // finishes wakes this executor (a queued request whose deadline passed by
                    // then is answered 504 at that point).
                    if !state.queue.isEmpty && state.executingBatches >= instances {
                        state.waiters.append(continuation)
                        return (nil, expired)
                    }
                    switch planner.decide(queued: state.queue.map { ($0.size, $0.arrived) }, executing: state.executingBatches, now: now) {
                    case .run(let count):
                        let batch = Array(state.queue.prefix(count))
                        state.queue.removeFirst(count)
                        state.executingBatches += 1
                        return (.batch(batch), expired)
                    case .wait(let until):
                        return (.sleep(until: until), expired)
                    case .idle:
                        if state.closed { return (.stop, expired) }
                        state.waiters.append(continuation)
                        return (nil, expired)
                    }
                }
                for pending in expired {
                    metrics.pendingChanged(by: -1)
                    metrics.requestFinished(outcome: "timeout")
                    pending.continuation.resume(throwing: KilnError(.deadlineExceeded, "the request timed out while queued"))
                }
                if let decision { continuation.resume(returning: decision) }
            }
            switch next {
            case .batch(let batch):
                await execute(batch)
            case .sleep(let until):
                try? await Task.sleep(until: until, clock: .continuous)
            case .recheck:
                continue
            case .stop:
                return
            }
        }
    }

    private func execute(_ batch: [Pending]) async {
        let started = ContinuousClock.now
        let sizes = batch.map(\.size)
        let arrivals = batch.map { (arrived: $0.arrived, size: $0.size) }
        do {
            let inputs = try InferenceBatch.concatenate(batch.map(\.inputs))
            let runtime = self.runtime
            let outputs = try await pool.runIfActive { try runtime.execute(inputs) }
            let pieces = try InferenceBatch.split(outputs, sizes: sizes)
            record(arrivals, started: started, finished: .now, success: true)
            for (pending, piece) in zip(batch, pieces) { pending.continuation.resume(returning: piece) }
        } catch {
            record(arrivals, started: started, finished: .now, success: false)
            for pending in batch { pending.continuation.resume(throwing: error) }
        }
    }

    private func executeDirectly(_ inputs: [Tensor], size: Int) async throws -> [Tensor] {
        let runtime = self.runtime
        return try await runAccounted(size: size) { try runtime.execute(inputs) }
    }

    /// Runs one accepted request's work on the compute threads now (its `inFlight` and
    /// `executingBatches` already counted) and settles it through `record`.
    private func runAccounted<Value: Sendable>(size: Int, _ work: @escaping @Sendable () throws -> Value) async throws -> Value {
        let started = ContinuousClock.now
        do {
            let value = try await pool.runIfActive(work)
            record([(started, size)], started: started, finished: .now, success: true)
            return value
        } catch {
            record([(started, size)], started: started, finished: .now, success: false)
            throw error
        }
    }

    private func record(
        _ batch: [(arrived: ContinuousClock.Instant, size: Int)], started: ContinuousClock.Instant,
        finished: ContinuousClock.Instant, success: Bool
    ) {
        let compute = (finished - started).nanosecondsValue
        let rows = batch.reduce(0) { $0 + $1.size }
        metrics.pendingChanged(by: -batch.count)
        metrics.requestFinished(outcome: success ? "success" : "failure", count: batch.count)
        if success {
            metrics.batchExecuted(
                rows: rows, queueNanoseconds: batch.map { (started - $0.arrived).nanosecondsValue }, computeNanoseconds: compute)
        }
        // Requests that queued while this batch ran are planned now, not at their delay.
        let waiter = state.withLock { state -> CheckedContinuation<Next, Never>? in
            state.inFlight -= batch.count
            state.executingBatches -= 1
            state.lastUsed = finished
            var statistics = state.statistics
            for pending in batch {
                let total = (finished - pending.arrived).nanosecondsValue
                if success {
                    statistics.success.add(total)
                    statistics.queue.add((started - pending.arrived).nanosecondsValue)
                } else {
                    statistics.fail.add(total)
                }
            }
            if success {
                statistics.inferenceCount += rows
                statistics.executionCount += 1
                statistics.computeInfer.add(compute)
                statistics.batchSizes[rows, default: .init()].computeInfer.add(compute)
                statistics.lastInference = Int64(Date().timeIntervalSince1970 * 1000)
            }
            state.statistics = statistics
            return state.queue.isEmpty ? nil : state.waiters.popLast()
        }
        waiter?.resume(returning: .recheck)
    }

    /// Stops accepting requests; executors finish what is queued, then return.
    func close() {
        let waiters = state.withLock { state -> [CheckedContinuation<Next, Never>] in
            state.closed = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: .recheck) }
    }

    /// Runs app-specific work that needs a capability of the loaded runtime (Grad-CAM through a
    /// named TorchScript method, TreeSHAP contributions) on the model's compute threads.
    ///
    /// It is a request like any other for the queue bound (a full queue answers `unavailable`),
    /// the unload guard (it counts as in flight), the statistics and the `kiln_model_*` metrics
    /// (one request of `rows` inferences); it is not batched with other requests, because the
    /// work is the app's own function of one input.
    /// - Throws: `invalid_argument` when the model's runtime lacks the capability.
    public func perform<Capability, Result: Sendable>(
        _ capability: Capability.Type, rows: Int = 1, _ work: @escaping @Sendable (Capability) throws -> Result
    ) async throws -> Result {
        guard let runtime = runtime as? Capability else {
            throw KilnError.invalidArgument("model '\(model.name)' (version \(model.version)) cannot do this: its runtime has no \(Capability.self)")
        }
        // Accounted as an executing batch of one request (`record` settles it), so the planner
        // knows the compute threads are busy and the statistics and metrics count it.
        let rejection = state.withLock { state -> KilnError? in
            if state.closed { return KilnError(.unavailable, "the model is being unloaded") }
            guard state.inFlight < maxQueueSize else {
                return KilnError(.unavailable, "the model's queue is full (\(maxQueueSize) requests)", details: ["retry_after_seconds": .int(1)])
            }
            state.inFlight += 1
            state.executingBatches += 1
            state.lastUsed = .now
            return nil
        }
        if let rejection {
            metrics.requestFinished(outcome: "rejected")
            throw rejection
        }
        metrics.pendingChanged(by: 1)
        let boxed = UncheckedBox(runtime)
        return try await runAccounted(size: rows) { try work(boxed.value) }
    }

    /// Runs inputs directly on the compute threads, outside the queue (warm-up at load).
    func runUnbatched(_ inputs: [Tensor]) async throws {
        let runtime = self.runtime
        _ = try await pool.runIfActive { try runtime.execute(inputs) }
    }

    /// For tests that drive a scheduler without a `ModelManager`.
    public func runExecutorForTesting() async { await runExecutor() }
    public func closeForTesting() { close() }

    /// True when no request is queued or executing: the model may be unloaded without
    /// cutting anything short.
    public var isIdle: Bool { state.withLock { $0.inFlight == 0 } }
    /// Requests accepted and not yet answered (queued or executing).
    public var inFlight: Int { state.withLock { $0.inFlight } }
    public var lastUsed: ContinuousClock.Instant { state.withLock { $0.lastUsed } }

    /// Releases the compute threads of a scheduler whose executors never ran (a load that
    /// failed half-way, or shutdown before the manager started them).
    func shutdownIfNeverStarted() async {
        let neverStarted = state.withLock { $0.runningExecutors == 0 }
        if neverStarted { try? await pool.shutdownGracefully() }
    }
}

/// Carries a runtime cast to a capability protocol (not itself `Sendable`) onto the compute
/// threads; every runtime is `Sendable`, so this is sound.
private struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
