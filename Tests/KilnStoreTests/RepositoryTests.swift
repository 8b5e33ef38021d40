import Foundation
import KilnCore
import KilnStore
import Testing

@Suite struct RepositoryTests {
    @Test func apiKeysRoundTripAndRevoke() async throws {
        try await withTemporaryDatabase { database, _ in
            try await Migrator().migrate(database.sql)
            let repository = SQLAPIKeyRepository(db: database.sql)
            let record = APIKeyRecord(id: "key_1", name: "ci", role: .service, createdAt: Date(timeIntervalSince1970: 1_700_000_000))
            try await repository.insert(record, secretHash: "hash-1")
            #expect(try await repository.find(secretHash: "hash-1") == record)
            #expect(try await repository.find(id: "key_1") == record)
            #expect(try await repository.find(secretHash: "other") == nil)
            #expect(try await repository.count() == 1)
            // The secret hash is unique: a second key with the same hash is refused.
            await #expect(throws: (any Error).self) {
                try await repository.insert(APIKeyRecord(id: "key_2", name: "x", role: .user, createdAt: Date()), secretHash: "hash-1")
            }
            #expect(try await repository.revoke(id: "key_1", at: Date(timeIntervalSince1970: 1_700_000_100)))
            #expect(try await repository.find(id: "key_1")?.revokedAt == Date(timeIntervalSince1970: 1_700_000_100))
            #expect(try await repository.revoke(id: "missing", at: Date()) == false)
        }
    }

    @Test func keyServiceVerifiesHashesNotSecrets() async throws {
        try await withTemporaryDatabase { database, _ in
            try await Migrator().migrate(database.sql)
            let service = KeyService(keys: SQLAPIKeyRepository(db: database.sql), audit: SQLAuditLogRepository(db: database.sql))
            let created = try await service.create(role: .user, name: "alice", actor: "test")
            #expect(created.secret.hasPrefix("kiln_") && created.secret.count >= 45)
            let stored = try await database.sql.raw("SELECT secret_hash FROM api_keys").first()?.decode(column: "secret_hash", as: String.self)
            #expect(stored == APIKeySecret.hash(created.secret))
            #expect(stored != created.secret)
            #expect(try await service.verify(secret: created.secret)?.role == .user)
            #expect(try await service.verify(secret: created.secret + "x") == nil)
            _ = try await service.revoke(id: created.record.id, actor: "test")
            #expect(try await service.verify(secret: created.secret) == nil)
        }
    }

    @Test func auditLogPagesNewestFirst() async throws {
        try await withTemporaryDatabase { database, _ in
            try await Migrator().migrate(database.sql)
            let audit = SQLAuditLogRepository(db: database.sql)
            for index in 0..<5 {
                try await audit.append(AuditEntry(at: Date(), actor: "a", action: "act\(index)", target: "t", details: ["n": .int(index)]))
            }
            let firstPage = try await audit.list(limit: 2, before: nil)
            #expect(firstPage.map(\.action) == ["act4", "act3"])
            #expect(firstPage.first?.details["n"] == .int(4))
            let secondPage = try await audit.list(limit: 2, before: firstPage.last?.id)
            #expect(secondPage.map(\.action) == ["act2", "act1"])
        }
    }

    @Test func blobReferencesCount() async throws {
        try await withTemporaryDatabase { database, _ in
            try await Migrator().migrate(database.sql)
            let references = SQLBlobReferenceRepository(db: database.sql)
            try await references.add(sha256: "abc", kind: "job", id: "1")
            try await references.add(sha256: "abc", kind: "job", id: "1")
            try await references.add(sha256: "abc", kind: "model", id: "m")
            #expect(try await references.referenceCount(sha256: "abc") == 2)
            try await references.remove(sha256: "abc", kind: "job", id: "1")
            #expect(try await references.referenceCount(sha256: "abc") == 1)
        }
    }
}
