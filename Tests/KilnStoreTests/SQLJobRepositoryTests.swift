import Foundation
import KilnCore
import KilnStore
import Testing

@Suite struct SQLJobRepositoryTests {
    func job(_ id: String, kind: String = "noop", priority: Int = 0, key: String? = nil, owner: String = "api_key:a", at offset: Double = 0) -> JobRecord {
        JobRecord(id: id, kind: kind, parameters: "{}", priority: priority, maxAttempts: 2, owner: owner, idempotencyKey: key,
                  createdAt: Date(timeIntervalSince1970: 1_000 + offset))
    }

    let now = Date(timeIntervalSince1970: 2_000)

    @Test func idempotencyKeysReturnTheSameJobPerOwner() async throws {
        try await withTemporaryDatabase { database, _ in
            try await Migrator().migrate(database.sql)
            let jobs = SQLJobRepository(db: database.sql)
            #expect(try await jobs.enqueue(job("j1", key: "k")).created)
            let again = try await jobs.enqueue(job("j2", key: "k"))
            #expect(!again.created && again.job.id == "j1")
            #expect(try await jobs.enqueue(job("j3", key: "k", owner: "api_key:b")).created)
            let fourth = try await jobs.enqueue(job("j4")).created
            let fifth = try await jobs.enqueue(job("j5")).created
            #expect(fourth && fifth, "jobs without a key never collide")
        }
    }

    @Test func claimsFollowPriorityThenAgeAndNeverTwice() async throws {
        try await withTemporaryDatabase { database, _ in
            try await Migrator().migrate(database.sql)
            let jobs = SQLJobRepository(db: database.sql)
            _ = try await jobs.enqueue(job("old", at: 0))
            _ = try await jobs.enqueue(job("new", at: 10))
            _ = try await jobs.enqueue(job("urgent", priority: 5, at: 20))
            _ = try await jobs.enqueue(job("other-kind", kind: "train", priority: 9))
            let first = try await jobs.claim(kinds: ["noop"], worker: "w1", lease: 30, now: now)
            #expect(first?.id == "urgent" && first?.state == .running && first?.attempts == 1 && first?.leaseOwner == "w1")
            // Many workers at once: every job is claimed exactly once.
            let now = self.now
            let claimed = await withTaskGroup(of: String?.self) { group in
                for worker in 0..<8 {
                    group.addTask { try? await jobs.claim(kinds: ["noop"], worker: "w\(worker)", lease: 30, now: now)?.id }
                }
                var ids: [String] = []
                for await id in group { if let id { ids.append(id) } }
                return ids
            }
            #expect(claimed.sorted() == ["new", "old"])
            #expect(try await jobs.claim(kinds: ["noop"], worker: "w9", lease: 30, now: now) == nil)
        }
    }

    @Test func finishingNeedsTheLease() async throws {
        try await withTemporaryDatabase { database, _ in
            try await Migrator().migrate(database.sql)
            let jobs = SQLJobRepository(db: database.sql)
            _ = try await jobs.enqueue(job("j"))
            _ = try await jobs.claim(kinds: ["noop"], worker: "w1", lease: 30, now: now)
            #expect(try await jobs.heartbeat(id: "j", worker: "w1", lease: 30, progress: 0.5, message: "half", now: now)?.progress == 0.5)
            #expect(try await jobs.heartbeat(id: "j", worker: "intruder", lease: 30, progress: nil, message: nil, now: now) == nil)
            #expect(try await jobs.finish(id: "j", worker: "intruder", state: .succeeded, result: "{}", resultBlobs: [], errorCode: nil, errorMessage: nil, now: now) == false)
            #expect(try await jobs.finish(id: "j", worker: "w1", state: .succeeded, result: #"{"x":1}"#, resultBlobs: ["abc"], errorCode: nil, errorMessage: nil, now: now))
            let done = try #require(try await jobs.find(id: "j"))
            #expect(done.state == .succeeded && done.progress == 1 && done.result == #"{"x":1}"# && done.resultBlobs == ["abc"] && done.leaseOwner == nil)
        }
    }

    @Test func cancellingQueuedEndsAtOnceRunningIsFlagged() async throws {
        try await withTemporaryDatabase { database, _ in
            try await Migrator().migrate(database.sql)
            let jobs = SQLJobRepository(db: database.sql)
            _ = try await jobs.enqueue(job("queued"))
            _ = try await jobs.enqueue(job("running", priority: 1))
            _ = try await jobs.claim(kinds: ["noop"], worker: "w", lease: 30, now: now)
            #expect(try await jobs.requestCancel(id: "queued", now: now)?.state == .cancelled)
            let running = try await jobs.requestCancel(id: "running", now: now)
            #expect(running?.state == .running && running?.cancelRequested == true)
        }
    }

    @Test func expiredLeasesRequeueUntilAttemptsRunOut() async throws {
        try await withTemporaryDatabase { database, _ in
            try await Migrator().migrate(database.sql)
            let jobs = SQLJobRepository(db: database.sql)
            _ = try await jobs.enqueue(job("j"))
            _ = try await jobs.claim(kinds: ["noop"], worker: "dead", lease: 10, now: now)
            #expect(try await jobs.recoverExpired(now: now.addingTimeInterval(5)).isEmpty)
            #expect(try await jobs.recoverExpired(now: now.addingTimeInterval(11)).map(\.state) == [.queued])
            _ = try await jobs.claim(kinds: ["noop"], worker: "dead-again", lease: 10, now: now.addingTimeInterval(12))
            let failed = try await jobs.recoverExpired(now: now.addingTimeInterval(30))
            #expect(failed.map(\.state) == [.failed] && failed.first?.errorCode == "worker_lost" && failed.first?.attempts == 2)
        }
    }

    @Test func retriesWaitForTheirBackoffAndPurgeRemovesOldTerminalJobs() async throws {
        try await withTemporaryDatabase { database, _ in
            try await Migrator().migrate(database.sql)
            let jobs = SQLJobRepository(db: database.sql)
            _ = try await jobs.enqueue(job("j"))
            _ = try await jobs.claim(kinds: ["noop"], worker: "w", lease: 30, now: now)
            #expect(try await jobs.requeue(id: "j", worker: "w", notBefore: now.addingTimeInterval(60), countAttempt: true))
            #expect(try await jobs.claim(kinds: ["noop"], worker: "w", lease: 30, now: now.addingTimeInterval(30)) == nil)
            let retried = try await jobs.claim(kinds: ["noop"], worker: "w", lease: 30, now: now.addingTimeInterval(61))
            #expect(retried?.attempts == 2)
            _ = try await jobs.finish(id: "j", worker: "w", state: .failed, result: nil, resultBlobs: [], errorCode: "boom", errorMessage: "x", now: now.addingTimeInterval(62))
            #expect(try await jobs.purge(finishedBefore: now).isEmpty)
            #expect(try await jobs.purge(finishedBefore: now.addingTimeInterval(100)).map(\.id) == ["j"])
            #expect(try await jobs.find(id: "j") == nil)
        }
    }
}
