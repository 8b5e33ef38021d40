// Job-queue benchmark: a no-op job kind, 2 workers, the embedded SQLite store.
// Prints jobs/s for a burst and the median enqueue→start latency for jobs submitted one by one.
// Run by benchmarks/jobs/run.sh beside the same workload on Celery + Redis.
import Foundation
import KilnCore
import KilnJobs
import KilnStore
import Logging
import ServiceLifecycle
import Synchronization

struct NoopHandler: JobHandler {
    struct Parameters: Codable, Sendable { var submitted: Double }
    struct Output: Codable, Sendable { var started: Double }
    static let kind = "noop"

    func run(_ parameters: Parameters, context: JobContext) async throws -> Output {
        Output(started: Date().timeIntervalSince1970)
    }
}

let burst = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 2000
let singles = 200
let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-bench-jobs-\(UUID().uuidString)")
defer { try? FileManager.default.removeItem(at: directory) }
var logger = Logger(label: "bench")
logger.logLevel = .warning
// KILN_SQLITE_SYNCHRONOUS=normal measures the cost of durable commits (the default, full).
let synchronous = SQLiteSynchronous(rawValue: ProcessInfo.processInfo.environment["KILN_SQLITE_SYNCHRONOUS", default: "full"].uppercased()) ?? .full
let database = try await KilnDatabase.open(url: "sqlite:\(directory.path)/kiln.sqlite", synchronous: synchronous, logger: logger)
try await Migrator().migrate(database.sql)
var settings = JobService.Settings()
settings.pollInterval = .milliseconds(100)
let repository = SQLJobRepository(db: database.sql)
let service = JobService(
    repository: repository, references: SQLBlobReferenceRepository(db: database.sql),
    blobs: try BlobStore(root: directory.appendingPathComponent("blobs")),
    kinds: [RegisteredJobKind(NoopHandler(), workers: 2)], settings: settings, logger: logger)
service.startGate.open()
let group = ServiceGroup(configuration: .init(services: [service], logger: logger))

func waitUntilDone(_ ids: [String]) async throws {
    for id in ids {
        while try await repository.find(id: id)?.state.isTerminal != true { try await Task.sleep(for: .milliseconds(2)) }
    }
}

try await withThrowingTaskGroup(of: Void.self) { tasks in
    tasks.addTask { try await group.run() }
    // Burst: submit everything, then wait for the last job.
    let start = Date()
    var ids: [String] = []
    for _ in 0..<burst {
        ids.append(try await service.submit(kind: "noop", parameters: #"{"submitted":\#(Date().timeIntervalSince1970)}"#, owner: "bench").job.id)
    }
    try await waitUntilDone(ids)
    let elapsed = Date().timeIntervalSince(start)
    // Latency: one job at a time on an idle queue.
    var latencies: [Double] = []
    for _ in 0..<singles {
        let submitted = Date().timeIntervalSince1970
        let id = try await service.submit(kind: "noop", parameters: #"{"submitted":\#(submitted)}"#, owner: "bench").job.id
        try await waitUntilDone([id])
        let job = try await repository.find(id: id)!
        let started = try JobCoding.decode(NoopHandler.Output.self, from: job.result!).started
        latencies.append((started - submitted) * 1000)
        try await Task.sleep(for: .milliseconds(5))
    }
    latencies.sort()
    print(String(format: "kiln   burst %d jobs: %.0f jobs/s; enqueue→start median %.2f ms, p99 %.2f ms (n=%d)",
                 burst, Double(burst) / elapsed, latencies[latencies.count / 2], latencies[latencies.count * 99 / 100], singles))
    await group.triggerGracefulShutdown()
    try await tasks.waitForAll()
}
await database.close()
