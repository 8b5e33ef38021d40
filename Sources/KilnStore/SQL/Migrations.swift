import Foundation
import KilnCore
import SQLKit

/// One versioned schema change. Versions are applied in order, once, each in a transaction.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    public let apply: @Sendable (any SQLDatabase) async throws -> Void

    public init(version: Int, name: String, apply: @escaping @Sendable (any SQLDatabase) async throws -> Void) {
        self.version = version
        self.name = name
        self.apply = apply
    }
}

/// Applies pending migrations and reports the schema version.
public struct Migrator: Sendable {
    public let migrations: [Migration]

    public init(migrations: [Migration] = Migration.all) {
        self.migrations = migrations.sorted { $0.version < $1.version }
    }

    public var latestVersion: Int { migrations.last?.version ?? 0 }

    /// Applies what is missing; returns the versions applied now.
    @discardableResult
    public func migrate(_ db: any SQLDatabase) async throws -> [Int] {
        try await db.create(table: "kiln_migrations")
            .ifNotExists()
            .column("version", type: .bigint, .primaryKey(autoIncrement: false))
            .column("name", type: .text, .notNull)
            .column("applied_at", type: .real, .notNull)
            .run()
        let applied = Set(try await appliedVersions(db))
        if let newest = applied.max(), newest > latestVersion {
            throw KilnError(.unavailable,
                "the database is at schema version \(newest), newer than this kiln knows (\(latestVersion)); upgrade kiln")
        }
        var done: [Int] = []
        for migration in migrations where !applied.contains(migration.version) {
            try await db.withSession { session in
                try await session.raw("BEGIN").run()
                do {
                    try await migration.apply(session)
                    try await session.insert(into: "kiln_migrations")
                        .columns("version", "name", "applied_at")
                        .values(SQLBind(migration.version), SQLBind(migration.name), SQLBind(Date().timeIntervalSince1970))
                        .run()
                    try await session.raw("COMMIT").run()
                } catch {
                    try? await session.raw("ROLLBACK").run()
                    throw error
                }
            }
            done.append(migration.version)
        }
        return done
    }

    public func appliedVersions(_ db: any SQLDatabase) async throws -> [Int] {
        try await db.select().column("version").from("kiln_migrations").orderBy("version")
            .all(decodingColumn: "version", as: Int.self)
    }
}

extension Migration {
    /// Every migration Kiln knows, oldest first. Append; never edit one that has shipped.
    public static let all: [Migration] = [
        Migration(version: 1, name: "api keys and audit log") { db in
            try await db.create(table: "api_keys")
                .column("id", type: .text, .primaryKey(autoIncrement: false))
                .column("name", type: .text, .notNull)
                .column("role", type: .text, .notNull)
                .column("secret_hash", type: .text, .notNull, .unique)
                .column("created_at", type: .real, .notNull)
                .column("revoked_at", type: .real)
                .run()
            try await db.create(table: "audit_log")
                .column("id", type: .bigint, .primaryKey(autoIncrement: true))
                .column("at", type: .real, .notNull)
                .column("actor", type: .text, .notNull)
                .column("action", type: .text, .notNull)
                .column("target", type: .text, .notNull)
                .column("details", type: .text, .notNull)
                .run()
            try await db.create(index: "audit_log_at").on("audit_log").column("at").run()
        },
        Migration(version: 2, name: "blob references") { db in
            // Which stored things point at which blob; a blob with no row here may be deleted.
            try await db.create(table: "blob_refs")
                .column("sha256", type: .text, .notNull)
                .column("ref_kind", type: .text, .notNull)
                .column("ref_id", type: .text, .notNull)
                .column("created_at", type: .real, .notNull)
                .primaryKey("sha256", "ref_kind", "ref_id")
                .run()
        },
        Migration(version: 3, name: "model aliases") { db in
            // The registry's labels: (model, alias) → version. Changes are also in the audit log.
            try await db.create(table: "model_aliases")
                .column("model", type: .text, .notNull)
                .column("alias", type: .text, .notNull)
                .column("version", type: .bigint, .notNull)
                .column("updated_at", type: .real, .notNull)
                .primaryKey("model", "alias")
                .run()
        },
        Migration(version: 4, name: "jobs") { db in
            try await db.create(table: "jobs")
                .column("id", type: .text, .primaryKey(autoIncrement: false))
                .column("kind", type: .text, .notNull)
                .column("parameters", type: .text, .notNull)
                .column("input_blobs", type: .text, .notNull)
                .column("priority", type: .bigint, .notNull)
                .column("state", type: .text, .notNull)
                .column("progress", type: .real, .notNull)
                .column("progress_message", type: .text)
                .column("result", type: .text)
                .column("result_blobs", type: .text, .notNull)
                .column("error_code", type: .text)
                .column("error_message", type: .text)
                .column("attempts", type: .bigint, .notNull)
                .column("max_attempts", type: .bigint, .notNull)
                .column("owner", type: .text, .notNull)
                .column("idempotency_key", type: .text)
                .column("created_at", type: .real, .notNull)
                .column("started_at", type: .real)
                .column("finished_at", type: .real)
                .column("not_before", type: .real, .notNull)
                .column("lease_owner", type: .text)
                .column("lease_expires_at", type: .real)
                .column("cancel_requested", type: .bigint, .notNull)
                .run()
            // One job per (owner, idempotency key); NULL keys never collide.
            try await db.create(index: "jobs_idempotency").unique().on("jobs").column("owner").column("idempotency_key").run()
            try await db.create(index: "jobs_claim").on("jobs").column("state").column("priority").column("created_at").run()
            try await db.create(index: "jobs_owner").on("jobs").column("owner").column("created_at").run()
        },
    ]
}
