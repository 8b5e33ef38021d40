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

/// A module's migrations (the platform's, the feedback store's, an app's tables). Versions share
/// one number line across every set, so that one schema version describes the whole store and
/// a database migrated by older Kiln (one list) keeps its history: a new set takes numbers no
/// other set uses, and the migrator refuses two sets claiming one version.
public struct MigrationSet: Sendable {
    public let name: String
    public let migrations: [Migration]

    public init(name: String, migrations: [Migration]) {
        self.name = name
        self.migrations = migrations
    }

    public static let platform = MigrationSet(name: "platform", migrations: Migration.platform)
}

/// Applies pending migrations and reports the schema version.
public struct Migrator: Sendable {
    public let migrations: [Migration]

    public init(migrations: [Migration] = Migration.platform) {
        self.migrations = migrations.sorted { $0.version < $1.version }
    }

    /// The migrations of several modules; a version claimed by two sets is an error naming both.
    public init(sets: [MigrationSet]) throws {
        var owners: [Int: String] = [:]
        for set in sets {
            for migration in set.migrations {
                if let other = owners.updateValue(set.name, forKey: migration.version) {
                    throw KilnError(.internal, "migration version \(migration.version) is claimed by both '\(other)' and '\(set.name)'")
                }
            }
        }
        self.init(migrations: sets.flatMap(\.migrations))
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
    /// The platform's migrations, oldest first. Append; never edit one that has shipped.
    /// Versions 6–8 belong to other sets (CTR files, feedback), written when this was one list.
    public static let platform: [Migration] = [
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
        Migration(version: 5, name: "experiment tracking and model registry") { db in
            // MLflow's data model. Times are epoch milliseconds, as MLflow's clients use them.
            try await db.create(table: "experiments")
                .column("experiment_id", type: .bigint, .primaryKey(autoIncrement: true))
                .column("name", type: .text, .notNull, .unique)
                .column("artifact_location", type: .text, .notNull)
                .column("lifecycle_stage", type: .text, .notNull)
                .column("creation_time", type: .bigint, .notNull)
                .column("last_update_time", type: .bigint, .notNull)
                .run()
            // MLflow's fresh server has experiment 0, "Default"; clients rely on it.
            try await db.raw("""
                INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time)
                VALUES (0, 'Default', 'mlflow-artifacts:/0', 'active', \(bind: epochMilliseconds()), \(bind: epochMilliseconds()))
                """).run()
            try await db.create(table: "experiment_tags")
                .column("experiment_id", type: .bigint, .notNull, .references("experiments", "experiment_id", onDelete: .cascade))
                .column("key", type: .text, .notNull)
                .column("value", type: .text, .notNull)
                .primaryKey("experiment_id", "key")
                .run()
            try await db.create(table: "runs")
                .column("run_uuid", type: .text, .primaryKey(autoIncrement: false))
                .column("experiment_id", type: .bigint, .notNull, .references("experiments", "experiment_id"))
                .column("name", type: .text, .notNull)
                .column("user_id", type: .text, .notNull)
                .column("status", type: .text, .notNull)
                .column("start_time", type: .bigint, .notNull)
                .column("end_time", type: .bigint)
                .column("artifact_uri", type: .text, .notNull)
                .column("lifecycle_stage", type: .text, .notNull)
                .column("deleted_time", type: .bigint)
                .column("inputs", type: .text, .notNull)
                .column("outputs", type: .text, .notNull)
                .run()
            try await db.create(index: "runs_experiment_start").on("runs").column("experiment_id").column("start_time").run()
            for table in ["params", "tags"] {
                try await db.create(table: table)
                    .column("run_uuid", type: .text, .notNull, .references("runs", "run_uuid", onDelete: .cascade))
                    .column("key", type: .text, .notNull)
                    .column("value", type: .text, .notNull)
                    .primaryKey("run_uuid", "key")
                    .run()
                try await db.create(index: "\(table)_key_value").on(table).column("key").column("value").run()
            }
            // The full history; `value` is NULL for NaN (SQLite cannot store a NaN REAL).
            try await db.create(table: "metrics")
                .column("run_uuid", type: .text, .notNull, .references("runs", "run_uuid", onDelete: .cascade))
                .column("key", type: .text, .notNull)
                .column("value", type: .real)
                .column("timestamp", type: .bigint, .notNull)
                .column("step", type: .bigint, .notNull)
                .run()
            try await db.create(index: "metrics_run_key_step").on("metrics").column("run_uuid").column("key").column("step").column("timestamp").run()
            // The latest value per (run, key): what run data shows and what searches filter on.
            try await db.create(table: "latest_metrics")
                .column("run_uuid", type: .text, .notNull, .references("runs", "run_uuid", onDelete: .cascade))
                .column("key", type: .text, .notNull)
                .column("value", type: .real)
                .column("timestamp", type: .bigint, .notNull)
                .column("step", type: .bigint, .notNull)
                .primaryKey("run_uuid", "key")
                .run()
            try await db.create(index: "latest_metrics_key_value").on("latest_metrics").column("key").column("value").run()
            // Artifact files: a path under the artifact root (`<experiment>/<run>/artifacts/…`) → blob.
            try await db.create(table: "artifacts")
                .column("path", type: .text, .primaryKey(autoIncrement: false))
                .column("sha256", type: .text, .notNull)
                .column("size", type: .bigint, .notNull)
                .column("created_at", type: .bigint, .notNull)
                .run()
            try await db.create(table: "registered_models")
                .column("name", type: .text, .primaryKey(autoIncrement: false))
                .column("creation_time", type: .bigint, .notNull)
                .column("last_updated_time", type: .bigint, .notNull)
                .column("description", type: .text, .notNull)
                .run()
            try await db.create(table: "registered_model_tags")
                .column("name", type: .text, .notNull)
                .column("key", type: .text, .notNull)
                .column("value", type: .text, .notNull)
                .primaryKey("name", "key")
                .run()
            try await db.create(table: "model_versions")
                .column("name", type: .text, .notNull)
                .column("version", type: .bigint, .notNull)
                .column("creation_time", type: .bigint, .notNull)
                .column("last_updated_time", type: .bigint, .notNull)
                .column("description", type: .text, .notNull)
                .column("user_id", type: .text, .notNull)
                .column("current_stage", type: .text, .notNull)
                .column("source", type: .text, .notNull)
                .column("run_id", type: .text, .notNull)
                .column("served", type: .bigint, .notNull)
                .primaryKey("name", "version")
                .run()
            try await db.create(table: "model_version_tags")
                .column("name", type: .text, .notNull)
                .column("version", type: .bigint, .notNull)
                .column("key", type: .text, .notNull)
                .column("value", type: .text, .notNull)
                .primaryKey("name", "version", "key")
                .run()
        },
        Migration(version: 10, name: "job schedules") { db in
            // Cron and counter triggers that submit jobs; fired once per period (compare-and-set).
            try await db.create(table: "job_schedules")
                .column("id", type: .text, .primaryKey(autoIncrement: false))
                .column("name", type: .text, .notNull)
                .column("kind", type: .text, .notNull)
                .column("parameters", type: .text, .notNull)
                .column("trigger", type: .text, .notNull)
                .column("paused", type: .int, .notNull)
                .column("owner", type: .text, .notNull)
                .column("created_at", type: .real, .notNull)
                .column("next_fire_at", type: .real)
                .column("counter_base", type: .bigint)
                .column("fired", type: .bigint, .notNull)
                .column("last_fired_at", type: .real)
                .column("last_job_id", type: .text)
                .run()
        },
        Migration(version: 11, name: "browser sessions and upgrade tickets") { db in
            // Cookie logins and single-use WebSocket/SSE tickets; only secrets' SHA-256 are stored.
            try await db.create(table: "browser_sessions")
                .column("id", type: .text, .primaryKey(autoIncrement: false))
                .column("secret_hash", type: .text, .notNull, .unique)
                .column("principal_id", type: .text, .notNull)
                .column("principal_kind", type: .text, .notNull)
                .column("role", type: .text, .notNull)
                .column("csrf_token", type: .text, .notNull)
                .column("created_at", type: .real, .notNull)
                .column("expires_at", type: .real, .notNull)
                .column("revoked_at", type: .real)
                .run()
            try await db.create(table: "upgrade_tickets")
                .column("secret_hash", type: .text, .primaryKey(autoIncrement: false))
                .column("principal_id", type: .text, .notNull)
                .column("principal_kind", type: .text, .notNull)
                .column("role", type: .text, .notNull)
                .column("expires_at", type: .real, .notNull)
                .run()
        },
    ]
}
