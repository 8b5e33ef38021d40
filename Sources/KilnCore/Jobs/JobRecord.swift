import Foundation

/// The states of a durable job: `queued → running → succeeded | failed | cancelled`.
public enum JobState: String, Sendable, Codable, CaseIterable {
    case queued, running, succeeded, failed, cancelled

    public var isTerminal: Bool { self == .succeeded || self == .failed || self == .cancelled }
}

/// One durable unit of long work, as stored.
public struct JobRecord: Sendable, Codable, Equatable {
    public var id: String
    public var kind: String
    /// The handler's parameters, as JSON text.
    public var parameters: String
    public var inputBlobs: [String]
    public var priority: Int
    public var state: JobState
    public var progress: Double
    public var progressMessage: String?
    /// The handler's result, as JSON text.
    public var result: String?
    public var resultBlobs: [String]
    public var errorCode: String?
    public var errorMessage: String?
    public var attempts: Int
    public var maxAttempts: Int
    public var owner: String
    public var idempotencyKey: String?
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    /// Not claimed before this time (retry backoff).
    public var notBefore: Date
    public var leaseOwner: String?
    public var leaseExpiresAt: Date?
    /// Set by a cancel request while the job runs; the worker notices at its next heartbeat.
    public var cancelRequested: Bool

    public init(
        id: String, kind: String, parameters: String, inputBlobs: [String] = [], priority: Int = 0,
        maxAttempts: Int = 3, owner: String, idempotencyKey: String? = nil, createdAt: Date = Date()
    ) {
        self.id = id
        self.kind = kind
        self.parameters = parameters
        self.inputBlobs = inputBlobs
        self.priority = priority
        self.state = .queued
        self.progress = 0
        self.resultBlobs = []
        self.attempts = 0
        self.maxAttempts = maxAttempts
        self.owner = owner
        self.idempotencyKey = idempotencyKey
        self.createdAt = createdAt
        self.notBefore = createdAt
        self.cancelRequested = false
    }
}

/// Persistence of jobs. Claiming is atomic: two workers never hold the same job.
public protocol JobRepository: Sendable {
    /// Inserts the job, or returns the existing one with the same owner and idempotency key.
    func enqueue(_ job: JobRecord) async throws -> (job: JobRecord, created: Bool)
    func find(id: String) async throws -> JobRecord?
    /// Newest first; `before` pages by creation order.
    func list(owner: String?, state: JobState?, kind: String?, limit: Int, before: (Date, String)?) async throws -> [JobRecord]
    /// Takes the most urgent claimable job of these kinds, marking it running with a lease.
    func claim(kinds: [String], worker: String, lease: TimeInterval, now: Date) async throws -> JobRecord?
    /// Extends the lease; returns the stored job (to see `cancelRequested`), nil if the lease was lost.
    func heartbeat(id: String, worker: String, lease: TimeInterval, progress: Double?, message: String?, now: Date) async throws -> JobRecord?
    func finish(id: String, worker: String, state: JobState, result: String?, resultBlobs: [String], errorCode: String?, errorMessage: String?, now: Date) async throws -> Bool
    /// Puts a running job back in the queue (retry after `notBefore`, or shutdown).
    func requeue(id: String, worker: String, notBefore: Date, countAttempt: Bool) async throws -> Bool
    /// Cancels a queued job at once or flags a running one; returns the job after the change.
    func requestCancel(id: String, now: Date) async throws -> JobRecord?
    /// Expired leases: back to queued, or failed with `worker_lost` when attempts are used up.
    func recoverExpired(now: Date) async throws -> [JobRecord]
    func delete(id: String) async throws -> Bool
    func purge(finishedBefore: Date) async throws -> [JobRecord]
}
