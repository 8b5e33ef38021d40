import Foundation
import KilnCore
import Logging
import NIOCore
import NIOPosix
import SQLKit
import SQLiteKit
import ServiceLifecycle

/// The SQL store: one `SQLDatabase` that every repository is written against.
///
/// Repositories use SQLKit's dialect-neutral builders, so a PostgreSQL backend (postgres-kit)
/// only has to provide another `SQLDatabase` here; see DESIGN.md §4.
public final class KilnDatabase: Service, Sendable {
    public enum Backend: Sendable, Equatable {
        case sqlite(path: String)
        case postgres(url: String)

        /// Parses `sqlite:PATH`, `sqlite://PATH`, a bare file path, or `postgres://…`.
        public static func parse(_ url: String) throws -> Backend {
            if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
                return .postgres(url: url)
            }
            if url.hasPrefix("sqlite:") {
                var path = url.dropFirst("sqlite:".count)
                if path.hasPrefix("//") { path = path.dropFirst(2) }
                guard !path.isEmpty else { throw KilnError.invalidArgument("database URL '\(url)' names no file") }
                return .sqlite(path: String(path))
            }
            if !url.contains(":") && !url.isEmpty { return .sqlite(path: url) }
            throw KilnError.invalidArgument("unsupported database URL '\(url)': use sqlite:PATH or postgres://…")
        }
    }

    public let sql: any SQLDatabase
    private let connection: SQLiteConnection
    private let transactionGate = AsyncSerialGate()
    private let logger: Logger

    private init(connection: SQLiteConnection, logger: Logger) {
        self.connection = connection
        self.sql = connection.sql()
        self.logger = logger
    }

    /// Opens the database and applies the connection settings Kiln relies on.
    /// - Parameter synchronous: `.full` makes every commit durable against power loss before it
    ///   returns (the WAL is fsynced per commit); `.normal` only against a process crash.
    public static func open(url: String, synchronous: SQLiteSynchronous = .full, logger: Logger) async throws -> KilnDatabase {
        switch try Backend.parse(url) {
        case .postgres:
            throw KilnError(.unavailable, "the PostgreSQL backend is not available in this build yet; use sqlite:PATH")
        case .sqlite(let path):
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let connection = try await SQLiteConnection.open(
                storage: .file(path: path), threadPool: .singleton, logger: logger,
                on: MultiThreadedEventLoopGroup.singleton.any())
            let database = KilnDatabase(connection: connection, logger: logger)
            do {
                // WAL: readers never block the writer. FULL fsyncs the WAL at each commit, so what
                // Kiln acknowledged survives power loss; NORMAL survives only a process crash
                // (SQLite documents that a NORMAL commit can roll back after a power loss).
                for pragma in ["PRAGMA journal_mode=WAL", "PRAGMA synchronous=\(synchronous.rawValue)",
                               "PRAGMA busy_timeout=5000", "PRAGMA foreign_keys=ON"] {
                    try await database.sql.raw(SQLQueryString(pragma)).run()
                }
            } catch {
                try? await connection.close()
                throw error
            }
            return database
        }
    }

    /// Runs `prepare` (reads and checks; throwing there changes nothing), then `write` inside
    /// `BEGIN IMMEDIATE` … `COMMIT`. Transactions run one at a time.
    ///
    /// Why this shape: the store is one SQLite connection shared by every concurrent request
    /// (a second connection would read stale WAL snapshots while the first always has a
    /// statement open), so statements of other requests can land inside the transaction and
    /// commit with it. They must never be rolled back with it, so every check that may refuse
    /// runs in `prepare`, before BEGIN; `write` fails only when the database does.
    public func transaction<Prepared: Sendable, T: Sendable>(
        prepare: @Sendable (any SQLDatabase) async throws -> Prepared,
        write: @Sendable (any SQLDatabase, Prepared) async throws -> T
    ) async throws -> T {
        try await transactionGate.run {
            let prepared = try await prepare(sql)
            try await sql.raw("BEGIN IMMEDIATE").run()
            let result: T
            do {
                result = try await write(sql, prepared)
                try await commit()
            } catch {
                try? await sql.raw("ROLLBACK").run()
                throw error
            }
            return result
        }
    }

    /// COMMIT fails with SQLITE_BUSY ("cannot commit transaction - SQL statements in progress")
    /// while another request's write statement on this shared connection is still stepping.
    /// SQLite keeps the transaction open and documents retrying; rolling back instead would
    /// undo that request's write, already acknowledged, with this one (seen in the soak: an
    /// accepted job vanished). The other statement ends within milliseconds.
    private func commit() async throws {
        let deadline = ContinuousClock.now + .seconds(5)
        var pause = Duration.microseconds(100)
        while true {
            do {
                try await sql.raw("COMMIT").run()
                return
            } catch let error as SQLiteError where error.reason == .busy && ContinuousClock.now < deadline {
                try? await Task.sleep(for: pause)
                pause = min(pause * 2, .milliseconds(10))
            }
        }
    }

    /// A cheap round trip, used by readiness checks.
    public func ping() async throws {
        _ = try await sql.raw("SELECT 1 AS one").first()
    }

    public func close() async {
        do {
            // The future-based close runs even when the calling task was cancelled (shutdown
            // past its deadline); an unclosed connection would trap in its deinit.
            let closing: EventLoopFuture<Void> = connection.close()
            try await closing.get()
        } catch {
            logger.warning("closing the database failed", metadata: ["error": "\(error)"])
        }
    }

    /// Keeps the connection open until graceful shutdown, then closes it. Listed before the
    /// HTTP server in the service group so that it shuts down after the server has drained.
    public func run() async throws {
        try? await gracefulShutdown()
        await close()
    }
}

/// Something that runs checks and then a block of writes as one transaction (see
/// `KilnDatabase.transaction`).
public protocol SQLTransactionRunner: Sendable {
    func transaction<Prepared: Sendable, T: Sendable>(
        prepare: @Sendable (any SQLDatabase) async throws -> Prepared,
        write: @Sendable (any SQLDatabase, Prepared) async throws -> T
    ) async throws -> T
}

extension SQLTransactionRunner {
    /// A transaction with nothing to check first.
    public func transaction<T: Sendable>(_ write: @Sendable @escaping (any SQLDatabase) async throws -> T) async throws -> T {
        try await transaction(prepare: { _ in () }, write: { db, _ in try await write(db) })
    }
}

extension KilnDatabase: SQLTransactionRunner {}
