import Foundation
import KilnCore
@testable import KilnJobs
import KilnStore
import Logging
import ServiceLifecycle
import Synchronization
import Testing

struct EchoHandler: JobHandler {
    struct Parameters: Codable, Sendable { var text: String; var delayMs: Int? }
    struct Output: Codable, Sendable { var echoed: String }
    static let kind = "echo"

    func run(_ parameters: Parameters, context: JobContext) async throws -> Output {
        for step in 0..<10 {
            try context.checkCancellation()
            await context.progress(Double(step) / 10, "step \(step)")
            try await Task.sleep(for: .milliseconds((parameters.delayMs ?? 0) / 10))
        }
        return Output(echoed: parameters.text)
    }
}

/// Fails with a retryable error until it has been called `failures` times.
final class FlakyHandler: JobHandler, @unchecked Sendable {
    struct Parameters: Codable, Sendable { var failures: Int }
    struct Output: Codable, Sendable { var calls: Int }
    static let kind = "flaky"
    let calls = Mutex(0)

    func run(_ parameters: Parameters, context: JobContext) async throws -> Output {
        let call = calls.withLock { $0 += 1; return $0 }
        if call <= parameters.failures { throw JobFailure(code: "busy", message: "try again", retryable: true) }
        return Output(calls: call)
    }
}

func withJobService<T: Sendable>(
    flaky: FlakyHandler = FlakyHandler(), timeout: Duration = .seconds(30), pollInterval: Duration = .milliseconds(50),
    _ body: @Sendable (JobService) async throws -> T
) async throws -> T {
    try await withTemporaryJobsDatabase { database, directory in
        var settings = JobService.Settings()
        settings.heartbeat = .milliseconds(50)
        settings.retryBackoff = .milliseconds(50)
        settings.pollInterval = pollInterval
        settings.recoveryInterval = .milliseconds(100)
        let service = JobService(
            repository: SQLJobRepository(db: database.sql), references: SQLBlobReferenceRepository(db: database.sql),
            blobs: try BlobStore(root: directory.appendingPathComponent("blobs")),
            kinds: [RegisteredJobKind(EchoHandler(), workers: 2, timeout: timeout), RegisteredJobKind(flaky, workers: 1)],
            settings: settings, logger: Logger(label: "jobs-test"))
        service.startGate.open()
        let group = ServiceGroup(configuration: .init(services: [service], logger: Logger(label: "jobs-test")))
        return try await withThrowingTaskGroup(of: T?.self) { tasks in
            tasks.addTask { try await group.run(); return nil }
            let result = try await body(service)
            await group.triggerGracefulShutdown()
            for try await _ in tasks {}
            return result
        }
    }
}

func withTemporaryJobsDatabase<T>(_ body: (KilnDatabase, URL) async throws -> T) async throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-jobs-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    let database = try await KilnDatabase.open(url: "sqlite:\(directory.path)/kiln.sqlite", logger: Logger(label: "test"))
    try await Migrator().migrate(database.sql)
    do {
        let result = try await body(database, directory)
        await database.close()
        return result
    } catch {
        await database.close()
        throw error
    }
}

func waitForEnd(_ service: JobService, _ id: String, within seconds: Double = 10) async throws -> JobRecord {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if let job = try await service.find(id: id), job.state.isTerminal { return job }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw KilnError(.deadlineExceeded, "job \(id) did not end")
}

/// Waits until the job is in `state`, failing the test after `seconds` rather than spinning forever.
func waitForState(_ service: JobService, _ id: String, _ state: JobState, within seconds: Double = 10) async throws {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await service.find(id: id)?.state == state { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    throw KilnError(.deadlineExceeded, "job \(id) never reached \(state.rawValue)")
}

@Suite struct JobServiceTests {
    @Test func jobsRunToSuccessWithTheirResult() async throws {
        try await withJobService { service async throws in
            let (job, created) = try await service.submit(kind: "echo", parameters: #"{"text":"hi"}"#, owner: "o")
            #expect(created && job.state == .queued)
            let done = try await waitForEnd(service, job.id)
            #expect(done.state == .succeeded && done.result == #"{"echoed":"hi"}"# && done.progress == 1 && done.attempts == 1)
        }
    }

    /// Idle workers of other kinds must not swallow a submission's wake-up: with polling made
    /// useless (two minutes), every job still starts without waiting for a poll. (The bound is
    /// generous: other suites can hold the test machine's threads for seconds.)
    @Test func aSubmissionWakesAWorkerOfItsOwnKind() async throws {
        try await withJobService(pollInterval: .seconds(120)) { service async throws in
            try await Task.sleep(for: .milliseconds(200))  // all three workers idle
            for _ in 0..<4 {
                let (job, _) = try await service.submit(kind: "flaky", parameters: #"{"failures":0}"#, owner: "o")
                #expect(try await waitForEnd(service, job.id, within: 30).state == .succeeded)
            }
        }
    }

    @Test func malformedParametersAreRefusedBeforeQueueing() async throws {
        try await withJobService { service async throws in
            await #expect(throws: KilnError.self) { try await service.submit(kind: "echo", parameters: #"{"txt":1}"#, owner: "o") }
            await #expect(throws: KilnError.self) { try await service.submit(kind: "nope", parameters: "{}", owner: "o") }
            #expect(try await service.list(owner: "o", state: nil, kind: nil, limit: 10, before: nil).isEmpty)
        }
    }

    @Test func idempotencyKeyReturnsTheSameJob() async throws {
        try await withJobService { service async throws in
            let first = try await service.submit(kind: "echo", parameters: #"{"text":"a"}"#, owner: "o", idempotencyKey: "k1")
            let second = try await service.submit(kind: "echo", parameters: #"{"text":"b"}"#, owner: "o", idempotencyKey: "k1")
            #expect(first.created && !second.created && second.job.id == first.job.id)
        }
    }

    @Test func cancellingARunningJobEndsItCancelled() async throws {
        try await withJobService { service async throws in
            let (job, _) = try await service.submit(kind: "echo", parameters: #"{"text":"x","delay_ms":5000}"#, owner: "o")
            try await waitForState(service, job.id, .running)
            _ = try await service.cancel(id: job.id)
            let ended = try await waitForEnd(service, job.id)
            #expect(ended.state == .cancelled)
            await #expect(throws: KilnError.self) { try await service.cancel(id: job.id) }
        }
    }

    @Test func runningPastTheKindsTimeoutFails() async throws {
        try await withJobService(timeout: .milliseconds(200)) { service async throws in
            let (job, _) = try await service.submit(kind: "echo", parameters: #"{"text":"x","delay_ms":5000}"#, owner: "o")
            let ended = try await waitForEnd(service, job.id)
            #expect(ended.state == .failed && ended.errorCode == "timeout")
        }
    }

    @Test func retryableFailuresAreRetriedWithBackoff() async throws {
        let flaky = FlakyHandler()
        try await withJobService(flaky: flaky) { service async throws in
            let (job, _) = try await service.submit(kind: "flaky", parameters: #"{"failures":2}"#, owner: "o")
            let ended = try await waitForEnd(service, job.id)
            #expect(ended.state == .succeeded && ended.attempts == 3 && ended.result == #"{"calls":3}"#)
            let (hopeless, _) = try await service.submit(kind: "flaky", parameters: #"{"failures":100}"#, owner: "o")
            let failed = try await waitForEnd(service, hopeless.id)
            #expect(failed.state == .failed && failed.errorCode == "busy" && failed.attempts == 3)
        }
    }

    @Test func aLateSubscriberGetsTheCurrentStateFirstAndTheTerminalEventLast() async throws {
        try await withJobService { service async throws in
            let (job, _) = try await service.submit(kind: "echo", parameters: #"{"text":"x","delay_ms":500}"#, owner: "o")
            try await waitForState(service, job.id, .running)
            let stream = service.events.subscribe(jobID: job.id)
            var events = [JobEvent.snapshot(try #require(try await service.find(id: job.id)))]
            for await event in stream { events.append(event) }
            #expect(events.first?.state == .running)
            #expect(events.last?.type == .result && events.last?.state == .succeeded)
            #expect(events.contains { $0.type == .progress })
        }
    }
}

/// Counts executions per job and notices two at once.
final class CountingHandler: JobHandler, @unchecked Sendable {
    struct Parameters: Codable, Sendable { var n: Int }
    struct Output: Codable, Sendable { var n: Int }
    static let kind = "counting"
    let running = Mutex<Set<String>>([])
    let executions = Mutex<[String: Int]>([:])
    let overlaps = Mutex(0)

    func run(_ parameters: Parameters, context: JobContext) async throws -> Output {
        let id = context.job.id
        let overlapping = running.withLock { !$0.insert(id).inserted }
        if overlapping { overlaps.withLock { $0 += 1 } }
        executions.withLock { $0[id, default: 0] += 1 }
        try await Task.sleep(for: .milliseconds(Int.random(in: 1...20)))
        running.withLock { _ = $0.remove(id) }
        return Output(n: parameters.n)
    }
}

@Suite struct JobConcurrencyTests {
    @Test func fourWorkersRunFiftyJobsEachExactlyOnceAndNeverTwiceAtOnce() async throws {
        let counting = CountingHandler()
        try await withTemporaryJobsDatabase { database, directory in
            var settings = JobService.Settings()
            settings.pollInterval = .milliseconds(20)
            let service = JobService(
                repository: SQLJobRepository(db: database.sql), references: SQLBlobReferenceRepository(db: database.sql),
                blobs: try BlobStore(root: directory.appendingPathComponent("blobs")),
                kinds: [RegisteredJobKind(counting, workers: 4)], settings: settings, logger: Logger(label: "jobs-test"))
            service.startGate.open()
            let group = ServiceGroup(configuration: .init(services: [service], logger: Logger(label: "jobs-test")))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                var ids: [String] = []
                for n in 0..<50 { ids.append(try await service.submit(kind: "counting", parameters: #"{"n":\#(n)}"#, owner: "o").job.id) }
                for id in ids { #expect(try await waitForEnd(service, id).state == .succeeded) }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                #expect(counting.executions.withLock { $0 }.count == 50)
                #expect(counting.executions.withLock { $0 }.values.allSatisfy { $0 == 1 })
                #expect(counting.overlaps.withLock { $0 } == 0)
            }
        }
    }
}
