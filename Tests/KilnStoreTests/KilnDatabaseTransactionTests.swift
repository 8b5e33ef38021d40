import Foundation
import KilnStore
import SQLKit
import Testing

/// Transactions share the one connection with statements of other requests, which land inside
/// them and commit with them. A COMMIT that meets such a statement still stepping must wait for
/// it, never roll back: the soak saw an acknowledged job vanish with a rolled-back metric batch.
@Suite struct KilnDatabaseTransactionTests {
    @Test func transactionsNeverRollBackWritesTheyDidNotMake() async throws {
        try await withTemporaryDatabase { database, _ in
            try await database.sql.raw("CREATE TABLE batch (n INTEGER)").run()
            try await database.sql.raw("CREATE TABLE single (n INTEGER PRIMARY KEY)").run()
            let failures = try await withThrowingTaskGroup(of: Int.self) { group in
                group.addTask {
                    var failed = 0
                    for round in 0..<1500 {
                        do {
                            try await database.transaction(prepare: { _ in round }, write: { db, round in
                                for row in 0..<2 { try await db.raw("INSERT INTO batch (n) VALUES (\(bind: round * 2 + row))").run() }
                            })
                        } catch {
                            failed += 1
                        }
                    }
                    return failed
                }
                for writer in 0..<4 {
                    group.addTask {
                        // Statements outside any transaction, each acknowledged when it returns; RETURNING
                        // keeps a write statement open across steps, as the job repository's inserts do.
                        for index in 0..<3000 {
                            _ = try await database.sql.raw("INSERT INTO single (n) VALUES (\(bind: writer * 10000 + index)) RETURNING n").all()
                        }
                        return 0
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(failures == 0)
            let singles = try await database.sql.raw("SELECT COUNT(*) AS n FROM single").first()?.decode(column: "n", as: Int.self)
            let batches = try await database.sql.raw("SELECT COUNT(*) AS n FROM batch").first()?.decode(column: "n", as: Int.self)
            #expect(singles == 12000, "acknowledged single-row writes were lost")
            #expect(batches == 3000)
        }
    }
}
