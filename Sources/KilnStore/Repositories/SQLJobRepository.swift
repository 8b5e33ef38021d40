import Foundation
import KilnCore
import SQLKit

/// Jobs in the `jobs` table. Claims are one `UPDATE … WHERE id = (SELECT … LIMIT 1) RETURNING *`
/// statement, atomic on SQLite; PostgreSQL will add `FOR UPDATE SKIP LOCKED` to the subquery.
public struct SQLJobRepository: JobRepository {
    private let db: any SQLDatabase

    public init(db: any SQLDatabase) {
        self.db = db
    }

    struct Row: Decodable {
        var id: String
        var kind: String
        var parameters: String
        var input_blobs: String
        var priority: Int
        var state: String
        var progress: Double
        var progress_message: String?
        var result: String?
        var result_blobs: String
        var error_code: String?
        var error_message: String?
        var attempts: Int
        var max_attempts: Int
        var owner: String
        var idempotency_key: String?
        var created_at: Double
        var started_at: Double?
        var finished_at: Double?
        var not_before: Double
        var lease_owner: String?
        var lease_expires_at: Double?
        var cancel_requested: Int

        var record: JobRecord {
            var job = JobRecord(
                id: id, kind: kind, parameters: parameters, inputBlobs: Self.list(input_blobs), priority: priority,
                maxAttempts: max_attempts, owner: owner, idempotencyKey: idempotency_key,
                createdAt: Date(timeIntervalSince1970: created_at))
            job.state = JobState(rawValue: state) ?? .failed
            job.progress = progress
            job.progressMessage = progress_message
            job.result = result
            job.resultBlobs = Self.list(result_blobs)
            job.errorCode = error_code
            job.errorMessage = error_message
            job.attempts = attempts
            job.startedAt = started_at.map(Date.init(timeIntervalSince1970:))
            job.finishedAt = finished_at.map(Date.init(timeIntervalSince1970:))
            job.notBefore = Date(timeIntervalSince1970: not_before)
            job.leaseOwner = lease_owner
            job.leaseExpiresAt = lease_expires_at.map(Date.init(timeIntervalSince1970:))
            job.cancelRequested = cancel_requested != 0
            return job
        }

        static func list(_ text: String) -> [String] {
            (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []
        }
    }

    static func json(_ list: [String]) -> String {
        String(decoding: (try? JSONEncoder().encode(list)) ?? Data("[]".utf8), as: UTF8.self)
    }

    public func enqueue(_ job: JobRecord) async throws -> (job: JobRecord, created: Bool) {
        if let key = job.idempotencyKey, let existing = try await find(owner: job.owner, idempotencyKey: key) {
            return (existing, false)
        }
        do {
            try await db.insert(into: "jobs")
                .columns("id", "kind", "parameters", "input_blobs", "priority", "state", "progress", "result_blobs",
                         "attempts", "max_attempts", "owner", "idempotency_key", "created_at", "not_before", "cancel_requested")
                .values(SQLBind(job.id), SQLBind(job.kind), SQLBind(job.parameters), SQLBind(Self.json(job.inputBlobs)),
                        SQLBind(job.priority), SQLBind(job.state.rawValue), SQLBind(job.progress), SQLBind(Self.json(job.resultBlobs)),
                        SQLBind(job.attempts), SQLBind(job.maxAttempts), SQLBind(job.owner), SQLBind(job.idempotencyKey),
                        SQLBind(job.createdAt.timeIntervalSince1970), SQLBind(job.notBefore.timeIntervalSince1970), SQLBind(0))
                .run()
        } catch {
            // A concurrent enqueue with the same idempotency key won the unique index.
            if let key = job.idempotencyKey, let existing = try await find(owner: job.owner, idempotencyKey: key) {
                return (existing, false)
            }
            throw error
        }
        return (job, true)
    }

    private func find(owner: String, idempotencyKey: String) async throws -> JobRecord? {
        try await db.select().column("*").from("jobs").where("owner", .equal, owner).where("idempotency_key", .equal, idempotencyKey)
            .first(decoding: Row.self)?.record
    }

    public func find(id: String) async throws -> JobRecord? {
        try await db.select().column("*").from("jobs").where("id", .equal, id).first(decoding: Row.self)?.record
    }

    public func list(owner: String?, state: JobState?, kind: String?, limit: Int, before: (Date, String)?) async throws -> [JobRecord] {
        var query = db.select().column("*").from("jobs")
        if let owner { query = query.where("owner", .equal, owner) }
        if let state { query = query.where("state", .equal, state.rawValue) }
        if let kind { query = query.where("kind", .equal, kind) }
        if let (created, id) = before {
            query = query.where {
                $0.where("created_at", .lessThan, created.timeIntervalSince1970)
                    .orWhere { $0.where("created_at", .equal, created.timeIntervalSince1970).where("id", .lessThan, id) }
            }
        }
        return try await query.orderBy("created_at", .descending).orderBy("id", .descending).limit(limit)
            .all(decoding: Row.self).map(\.record)
    }

    public func claim(kinds: [String], worker: String, lease: TimeInterval, now: Date) async throws -> JobRecord? {
        guard !kinds.isEmpty else { return nil }
        let time = now.timeIntervalSince1970
        let kindBinds: [any Encodable & Sendable] = kinds
        return try await db.raw("""
            UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = \(bind: worker),
                lease_expires_at = \(bind: time + lease), started_at = COALESCE(started_at, \(bind: time))
            WHERE id = (SELECT id FROM jobs WHERE state = 'queued' AND kind IN (\(binds: kindBinds)) AND not_before <= \(bind: time)
                        ORDER BY priority DESC, created_at ASC, id ASC LIMIT 1)
              AND state = 'queued'
            RETURNING *
            """).first(decoding: Row.self)?.record
    }

    public func heartbeat(id: String, worker: String, lease: TimeInterval, progress: Double?, message: String?, now: Date) async throws -> JobRecord? {
        var update = db.update("jobs").set("lease_expires_at", to: now.timeIntervalSince1970 + lease)
        if let progress { update = update.set("progress", to: progress) }
        if let message { update = update.set("progress_message", to: message) }
        try await update.where("id", .equal, id).where("lease_owner", .equal, worker).where("state", .equal, "running").run()
        guard let job = try await find(id: id), job.state == .running, job.leaseOwner == worker else { return nil }
        return job
    }

    public func finish(id: String, worker: String, state: JobState, result: String?, resultBlobs: [String], errorCode: String?, errorMessage: String?, now: Date) async throws -> Bool {
        let row = try await db.raw("""
            UPDATE jobs SET state = \(bind: state.rawValue), result = \(bind: result), result_blobs = \(bind: Self.json(resultBlobs)),
                error_code = \(bind: errorCode), error_message = \(bind: errorMessage), finished_at = \(bind: now.timeIntervalSince1970),
                progress = CASE WHEN \(bind: state.rawValue) = 'succeeded' THEN 1.0 ELSE progress END,
                lease_owner = NULL, lease_expires_at = NULL
            WHERE id = \(bind: id) AND lease_owner = \(bind: worker) AND state = 'running'
            RETURNING id
            """).first()
        return row != nil
    }

    public func requeue(id: String, worker: String, notBefore: Date, countAttempt: Bool) async throws -> Bool {
        let row = try await db.raw("""
            UPDATE jobs SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL, not_before = \(bind: notBefore.timeIntervalSince1970),
                attempts = attempts - \(bind: countAttempt ? 0 : 1)
            WHERE id = \(bind: id) AND lease_owner = \(bind: worker) AND state = 'running'
            RETURNING id
            """).first()
        return row != nil
    }

    public func requestCancel(id: String, now: Date) async throws -> JobRecord? {
        try await db.raw("""
            UPDATE jobs SET state = 'cancelled', finished_at = \(bind: now.timeIntervalSince1970), error_code = 'cancelled',
                error_message = 'cancelled before it ran'
            WHERE id = \(bind: id) AND state = 'queued'
            """).run()
        try await db.update("jobs").set("cancel_requested", to: 1).where("id", .equal, id).where("state", .equal, "running").run()
        return try await find(id: id)
    }

    public func recoverExpired(now: Date) async throws -> [JobRecord] {
        let time = now.timeIntervalSince1970
        let failed = try await db.raw("""
            UPDATE jobs SET state = 'failed', error_code = 'worker_lost', error_message = 'the worker running this job stopped, and no attempts are left',
                finished_at = \(bind: time), lease_owner = NULL, lease_expires_at = NULL
            WHERE state = 'running' AND lease_expires_at < \(bind: time) AND attempts >= max_attempts
            RETURNING *
            """).all(decoding: Row.self)
        let requeued = try await db.raw("""
            UPDATE jobs SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL
            WHERE state = 'running' AND lease_expires_at < \(bind: time)
            RETURNING *
            """).all(decoding: Row.self)
        return (failed + requeued).map(\.record)
    }

    public func delete(id: String) async throws -> Bool {
        let row = try await db.raw("DELETE FROM jobs WHERE id = \(bind: id) RETURNING id").first()
        return row != nil
    }

    public func purge(finishedBefore date: Date) async throws -> [JobRecord] {
        try await db.raw("""
            DELETE FROM jobs WHERE state IN ('succeeded', 'failed', 'cancelled') AND finished_at < \(bind: date.timeIntervalSince1970)
            RETURNING *
            """).all(decoding: Row.self).map(\.record)
    }
}
