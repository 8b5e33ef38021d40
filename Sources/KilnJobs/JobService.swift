import Foundation
import KilnCore
import KilnStore
import Logging
import ServiceLifecycle
import Synchronization

/// Submits jobs and runs them: a `Service` hosting the workers of every registered kind, the
/// lease recovery loop and retention.
///
/// Workers claim jobs atomically from the store, heartbeat their lease while a handler runs,
/// and end every job in a terminal state or give it back to the queue. Graceful shutdown stops
/// claiming and lets running jobs finish; jobs cut short by cancellation (shutdown past its
/// deadline) are released back to the queue without using up an attempt.
public final class JobService: Service, Sendable {
    public struct Settings: Sendable {
        /// A worker that misses heartbeats for this long is presumed dead.
        public var lease: TimeInterval = 30
        public var heartbeat: Duration = .seconds(5)
        /// How often expired leases are looked for, and how long idle workers wait between polls
        /// (new jobs in this process wake them at once).
        public var recoveryInterval: Duration = .seconds(5)
        public var pollInterval: Duration = .milliseconds(500)
        /// First retry delay; doubles per attempt.
        public var retryBackoff: Duration = .seconds(1)
        /// Terminal jobs older than this are purged (with their unreferenced result blobs); nil keeps them.
        public var retention: TimeInterval? = 7 * 24 * 3600
        /// True when this process is the only one using the store (the embedded SQLite default):
        /// then every job still `running` at start was left by a previous run of this process,
        /// and goes back to the queue at once instead of after its lease expires.
        public var singleNode = true
        /// How long running jobs may go on after graceful shutdown begins; then they are
        /// cancelled and given back to the queue without using up an attempt. Shorter than the
        /// server's `shutdown_timeout`, so that this happens while the store is still open (past
        /// that, everything is cancelled at once). Nil waits for them.
        public var drainTimeout: Duration?
        public init() {}
    }

    private let repository: any JobRepository
    private let references: any BlobReferenceRepository
    private let blobs: BlobStore
    private let kinds: [String: RegisteredJobKind]
    private let settings: Settings
    private let logger: Logger
    public let events: JobEventBus
    private let nodeID = "node-" + UUID().uuidString.prefix(8).lowercased()
    /// Idle workers wait per kind: a submission must wake a worker that can claim it (one shared
    /// queue woke, say, an inference worker for a segmentation job, and the job then waited for
    /// the next poll).
    private let wakeUps: [String: WakeUps]
    /// Opened by the composition root when the server is ready to run work.
    public let startGate = StartGate()

    public init(
        repository: any JobRepository, references: any BlobReferenceRepository, blobs: BlobStore,
        kinds: [RegisteredJobKind], events: JobEventBus = JobEventBus(), settings: Settings = .init(), logger: Logger
    ) {
        self.repository = repository
        self.references = references
        self.blobs = blobs
        self.kinds = Dictionary(uniqueKeysWithValues: kinds.map { ($0.kind, $0) })
        self.wakeUps = Dictionary(uniqueKeysWithValues: kinds.map { ($0.kind, WakeUps()) })
        self.events = events
        self.settings = settings
        self.logger = logger
    }

    public var registeredKinds: [String] { kinds.keys.sorted() }

    // MARK: Submitting and managing

    /// Queues a job after checking its parameters. With an idempotency key, a second submission
    /// by the same owner returns the first job.
    public func submit(
        kind: String, parameters: String, inputBlobs: [String] = [], owner: String,
        idempotencyKey: String? = nil, priority: Int = 0
    ) async throws -> (job: JobRecord, created: Bool) {
        guard let registered = kinds[kind] else {
            throw KilnError.invalidArgument("unknown job kind '\(kind)'; known: \(registeredKinds.joined(separator: ", "))")
        }
        try registered.validate(parameters)
        let job = JobRecord(
            id: "job_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""), kind: kind,
            parameters: parameters, inputBlobs: inputBlobs, priority: priority, maxAttempts: registered.maxAttempts,
            owner: owner, idempotencyKey: idempotencyKey)
        let result = try await repository.enqueue(job)
        if result.created {
            for blob in inputBlobs { try await references.add(sha256: blob, kind: "job", id: job.id) }
            events.publish(.snapshot(result.job))
            wakeOneWorker(of: kind)
        }
        return result
    }

    /// Checks parameters for `kind` as `submit` would, without queuing anything (schedules).
    public func validate(kind: String, parameters: String) throws {
        guard let registered = kinds[kind] else {
            throw KilnError.invalidArgument("unknown job kind '\(kind.prefix(64))'; known: \(registeredKinds.joined(separator: ", "))")
        }
        try registered.validate(parameters)
    }

    public func find(id: String) async throws -> JobRecord? {
        try await repository.find(id: id)
    }

    /// The job once it has ended, or nil when it has not within `timeout`. Woken at once by this
    /// node's events; it also reads the store every `poll`, so that a job another node runs is seen.
    public func waitForEnd(id: String, timeout: Duration, poll: Duration = .milliseconds(250)) async throws -> JobRecord? {
        enum Outcome: Sendable { case ended(JobRecord), timedOut, streamEnded }
        let subscription = events.subscribe(jobID: id)
        let repository = self.repository
        return try await withThrowingTaskGroup(of: Outcome.self) { group in
            group.addTask {
                for await event in subscription where event.isTerminal {
                    if let job = try await repository.find(id: id) { return .ended(job) }
                }
                return .streamEnded
            }
            group.addTask {
                let deadline = ContinuousClock.now + timeout
                while true {
                    guard let job = try await repository.find(id: id) else { throw KilnError.notFound("no job with id '\(id)'") }
                    if job.state.isTerminal { return .ended(job) }
                    let left = deadline - ContinuousClock.now
                    guard left > .zero else { return .timedOut }
                    try await Task.sleep(for: min(poll, left))
                }
            }
            defer { group.cancelAll() }
            while let outcome = try await group.next() {
                switch outcome {
                case .ended(let job): return job
                case .timedOut: return nil
                case .streamEnded: continue
                }
            }
            return nil
        }
    }

    /// The job if `principal` may see it: its owner, or an admin.
    public func find(id: String, visibleTo principal: Principal) async throws -> JobRecord? {
        guard let job = try await repository.find(id: id), principal.role == .admin || job.owner == principal.actor else { return nil }
        return job
    }

    public func list(owner: String?, state: JobState?, kind: String?, limit: Int, before: (Date, String)?) async throws -> [JobRecord] {
        try await repository.list(owner: owner, state: state, kind: kind, limit: limit, before: before)
    }

    /// Ends a queued job at once; asks a running one to stop (it ends `cancelled`).
    public func cancel(id: String) async throws -> JobRecord {
        guard let job = try await repository.find(id: id) else { throw KilnError.notFound("no job \(id)") }
        guard !job.state.isTerminal else { throw KilnError.conflict("job \(id) already ended (\(job.state.rawValue))") }
        guard let updated = try await repository.requestCancel(id: id, now: Date()) else { throw KilnError.notFound("no job \(id)") }
        if updated.state == .cancelled { events.publish(.snapshot(updated)) }
        return updated
    }

    /// Deletes a finished job and the blobs nothing else references.
    public func delete(id: String) async throws {
        guard let job = try await repository.find(id: id) else { throw KilnError.notFound("no job \(id)") }
        guard job.state.isTerminal else { throw KilnError.conflict("job \(id) is \(job.state.rawValue); cancel it first") }
        _ = try await repository.delete(id: id)
        try await release(job)
    }

    private func release(_ job: JobRecord) async throws {
        for blob in Set(job.inputBlobs + job.resultBlobs) {
            try await references.remove(sha256: blob, kind: "job", id: job.id)
            if try await references.referenceCount(sha256: blob) == 0 { _ = try? blobs.delete(sha256: blob) }
        }
    }

    // MARK: Running

    public func run() async throws {
        // Start once the rest of the server is ready (models loaded), so that jobs recovered
        // from a previous run do not race the start-up.
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await startGate.wait()
            } onGracefulShutdown: {
                self.startGate.open()
            }
        } onCancel: {
            self.startGate.open()
        }
        if Task.isCancelled || Task.isShuttingDownGracefully { return }
        if settings.singleNode {
            for job in try await repository.recoverExpired(now: .distantFuture) {
                logger.notice("recovered a job left running by the previous run", metadata: ["job_id": "\(job.id)", "state": "\(job.state.rawValue)"])
            }
        }
        // The workers race the drain deadline: whichever ends first ends the other.
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.runWorkers() }
            if let drain = settings.drainTimeout {
                group.addTask {
                    guard (try? await gracefulShutdown()) != nil else { return }
                    try? await Task.sleep(for: drain)
                    if !Task.isCancelled { self.logger.notice("drain deadline passed; running jobs go back to the queue") }
                }
            }
            await group.next()
            group.cancelAll()
        }
    }

    private func runWorkers() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.maintenanceLoop() }
            for registered in kinds.values {
                for index in 0..<registered.workers {
                    group.addTask { await self.workerLoop(registered, worker: "\(self.nodeID)/\(registered.kind)/\(index)") }
                }
            }
            // Wake idle workers on shutdown so that they notice it.
            await withGracefulShutdownHandler {
                try? await gracefulShutdown()
            } onGracefulShutdown: {
                self.wakeAllWorkers()
            }
        }
    }

    private func wakeOneWorker(of kind: String) {
        wakeUps[kind]?.wakeOne()
    }

    private func wakeAllWorkers() {
        for wakeUps in wakeUps.values { wakeUps.close() }
    }

    private func workerLoop(_ registered: RegisteredJobKind, worker: String) async {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let claimed: JobRecord?
            do {
                claimed = try await repository.claim(kinds: [registered.kind], worker: worker, lease: settings.lease, now: Date())
            } catch {
                logger.error("claiming a job failed", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: settings.pollInterval)
                continue
            }
            guard let job = claimed else {
                await wakeUps[registered.kind]!.wait(timeout: settings.pollInterval)
                continue
            }
            events.publish(.snapshot(job))
            await execute(job, registered, worker: worker)
        }
    }

    private enum Outcome: Sendable {
        case succeeded(String, [String])
        case cancelled
        case leaseLost
        case timedOut
        case failed(code: String, message: String, retryable: Bool)
        case released
    }

    private func execute(_ job: JobRecord, _ registered: RegisteredJobKind, worker: String) async {
        let progress = LatestProgress()
        let context = JobContext(
            job: job, logger: { var logger = self.logger; logger[metadataKey: "job_id"] = "\(job.id)"; return logger }(), blobs: blobs,
            progressSink: { [events] fraction, message in
                progress.set(fraction, message)
                events.publish(JobEvent(type: .progress, jobID: job.id, state: .running, progress: fraction, message: message))
            })
        // The handler runs outside the group: at shutdown the worker gives the job back and
        // returns without waiting for compute that cannot be interrupted.
        let handler = Task { await self.runHandler(registered, job, context) }
        await withTaskGroup(of: Outcome?.self) { group in
            group.addTask { await valueUnlessCancelled(handler) ?? nil }
            group.addTask {
                // Heartbeat: extends the lease, publishes progress to the store, notices cancel requests.
                while !Task.isCancelled {
                    try? await Task.sleep(for: self.settings.heartbeat)
                    if Task.isCancelled { return nil }
                    let latest = progress.get()
                    let stored = try? await self.repository.heartbeat(
                        id: job.id, worker: worker, lease: self.settings.lease, progress: latest?.0, message: latest?.1, now: Date())
                    guard let stored else { return .leaseLost }
                    if stored.cancelRequested { return .cancelled }
                }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: registered.timeout)
                return Task.isCancelled ? nil : .timedOut
            }
            var outcome: Outcome = .released
            while let next = await group.next() {
                if let next {
                    outcome = next
                    break
                }
                // The handler ended by cancellation without a cause from us: this task was cancelled.
                if Task.isCancelled { break }
            }
            group.cancelAll()
            handler.cancel()
            // Cancelled by a request, timed out, lease lost: the handler stops before this worker
            // claims more, so a worker never runs two jobs at once. Released (shutdown): the job
            // goes back to the queue now and what the handler returns later is dropped.
            if case .released = outcome {} else { _ = await handler.value }
            // In a task of its own: a cancelled task's store writes fail.
            await Task { await self.settle(job, outcome, worker: worker) }.value
        }
    }

    /// The kind's handler, its result or failure as an outcome; nil when it was cancelled.
    private func runHandler(_ registered: RegisteredJobKind, _ job: JobRecord, _ context: JobContext) async -> Outcome? {
        do {
            let (json, blobs) = try await registered.run(job.parameters, context)
            return .succeeded(json, blobs)
        } catch is CancellationError {
            return nil
        } catch let failure as JobFailure {
            return .failed(code: failure.code, message: failure.message, retryable: failure.retryable)
        } catch {
            if let known = KilnError(converting: error), known.code != .internal {
                // A full disk is retried with backoff like an unavailable engine: space may come back.
                return .failed(code: known.code.rawValue, message: known.message,
                               retryable: known.code == .unavailable || known.code == .insufficientStorage)
            }
            // What an unknown error says (paths, SQL, engine state) goes to the log only.
            context.logger.error("the job failed", metadata: ["error": "\(String(reflecting: error))"])
            return .failed(code: "internal", message: "the job failed with an internal error; the server log has the details under its job id",
                           retryable: false)
        }
    }

    private func settle(_ job: JobRecord, _ outcome: Outcome, worker: String) async {
        let now = Date()
        do {
            switch outcome {
            case .succeeded(let json, let resultBlobs):
                for blob in resultBlobs { try await references.add(sha256: blob, kind: "job", id: job.id) }
                _ = try await repository.finish(id: job.id, worker: worker, state: .succeeded, result: json, resultBlobs: resultBlobs,
                                                errorCode: nil, errorMessage: nil, now: now)
            case .cancelled:
                _ = try await repository.finish(id: job.id, worker: worker, state: .cancelled, result: nil, resultBlobs: [],
                                                errorCode: "cancelled", errorMessage: "cancelled while running", now: now)
            case .timedOut:
                _ = try await repository.finish(id: job.id, worker: worker, state: .failed, result: nil, resultBlobs: [],
                                                errorCode: "timeout", errorMessage: "the job ran longer than its kind allows", now: now)
            case .failed(let code, let message, let retryable):
                if retryable && job.attempts < job.maxAttempts {
                    let delay = settings.retryBackoff * (1 << min(job.attempts - 1, 10))
                    _ = try await repository.requeue(id: job.id, worker: worker, notBefore: now.addingTimeInterval(delay.secondsValue), countAttempt: true)
                    logger.notice("job will be retried", metadata: ["job_id": "\(job.id)", "attempt": "\(job.attempts)", "error": "\(message)"])
                } else {
                    _ = try await repository.finish(id: job.id, worker: worker, state: .failed, result: nil, resultBlobs: [],
                                                    errorCode: code, errorMessage: message, now: now)
                }
            case .leaseLost:
                logger.warning("lost the lease of a running job; another worker may have it", metadata: ["job_id": "\(job.id)"])
            case .released:
                _ = try await repository.requeue(id: job.id, worker: worker, notBefore: now, countAttempt: false)
            }
        } catch {
            logger.error("recording a job's outcome failed; recovery will retry it", metadata: ["job_id": "\(job.id)", "error": "\(error)"])
        }
        if let stored = try? await repository.find(id: job.id) {
            events.publish(.snapshot(stored))
            if stored.state == .queued { wakeOneWorker(of: stored.kind) }
        }
    }

    private func maintenanceLoop() async {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                for job in try await repository.recoverExpired(now: Date()) {
                    logger.notice("recovered a job whose worker stopped", metadata: ["job_id": "\(job.id)", "state": "\(job.state.rawValue)"])
                    events.publish(.snapshot(job))
                    if job.state == .queued { wakeOneWorker(of: job.kind) }
                }
                if let retention = settings.retention {
                    for job in try await repository.purge(finishedBefore: Date().addingTimeInterval(-retention)) {
                        try await release(job)
                    }
                }
            } catch {
                logger.error("job maintenance failed", metadata: ["error": "\(error)"])
            }
            // Graceful shutdown ends the wait at once rather than after the interval.
            let interval = settings.recoveryInterval
            _ = try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}

/// The last progress a handler reported, written by the handler and read by the heartbeat.
final class LatestProgress: Sendable {
    private let value = Mutex<(Double, String?)?>(nil)

    func set(_ fraction: Double, _ message: String?) {
        value.withLock { $0 = (fraction, message) }
    }

    func get() -> (Double, String?)? {
        value.withLock { $0 }
    }
}

/// A one-way gate: `wait` returns once `open` has been called (or at once afterwards).
public final class StartGate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    public init() {}

    public func open() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.open = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    public func wait() async {
        await withCheckedContinuation { continuation in
            let isOpen = state.withLock { state -> Bool in
                if !state.open { state.waiters.append(continuation) }
                return state.open
            }
            if isOpen { continuation.resume() }
        }
    }
}
