import Foundation
import KilnCore
import KilnStore
import Testing

@Suite struct BrowserSessionRepositoryTests {
    static let alice = Principal(id: "key_a", role: .user, kind: .apiKey)

    @Test func sessionsRoundTripRevokeAndSweep() async throws {
        try await withTemporaryDatabase { database, _ in
            try await Migrator().migrate(database.sql)
            let repository = SQLBrowserSessionRepository(db: database.sql)
            let now = Date(timeIntervalSince1970: 1_700_000_000)
            let session = BrowserSessionRecord(id: "ses_1", principal: Self.alice, csrfToken: "csrf",
                                               createdAt: now, expiresAt: now.addingTimeInterval(60))
            try await repository.insert(session, secretHash: "h1")
            #expect(try await repository.find(secretHash: "h1") == session)
            #expect(try await repository.revoke(id: "ses_1", at: now.addingTimeInterval(1)))
            #expect(try await repository.revoke(id: "ses_1", at: now.addingTimeInterval(2)) == false)  // already ended
            #expect(try await repository.find(id: "ses_1")?.isValid(at: now.addingTimeInterval(3)) == false)
            try await repository.deleteExpired(before: now)
            #expect(try await repository.find(id: "ses_1") == nil)  // revoked ones are swept too
        }
    }

    /// Of many upgrades presenting one ticket at once, exactly one gets it.
    @Test func aTicketIsRedeemedExactlyOnceUnderConcurrency() async throws {
        try await withTemporaryDatabase { database, _ in
            try await Migrator().migrate(database.sql)
            let repository = SQLBrowserSessionRepository(db: database.sql)
            let now = Date()
            try await repository.insertTicket(UpgradeTicket(principal: Self.alice, expiresAt: now.addingTimeInterval(30)), secretHash: "t1")
            let winners = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<16 { group.addTask { try await repository.redeemTicket(secretHash: "t1", at: now) != nil } }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(winners == 1)
            try await repository.insertTicket(UpgradeTicket(principal: Self.alice, expiresAt: now.addingTimeInterval(-1)), secretHash: "t2")
            #expect(try await repository.redeemTicket(secretHash: "t2", at: now) == nil)  // expired
        }
    }
}
