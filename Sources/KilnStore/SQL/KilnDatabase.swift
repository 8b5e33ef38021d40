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
    /// A second connection, used only inside `transaction`: the main connection is shared by
    /// every concurrent request, so a BEGIN on it would sweep their statements into the
    /// transaction. Its own thread keeps it from waiting behind main-connection work that is
    /// itself waiting for this connection's write lock.
    private let transactionConnection: SQLiteConnection
    private let transactionThreads: NIOThreadPool
    private let transactionGate = AsyncSerialGate()
    private let logger: Logger

    private init(connection: SQLiteConnection, transactionConnection: SQLiteConnection, transactionThreads: NIOThreadPool, logger: Logger) {
        self.connection = connection
        self.sql = connection.sql()
        self.transactionConnection = transactionConnection
        self.transactionThreads = transactionThreads
        self.logger = logger
    }

    /// Runs `body` in one write transaction (`BEGIN IMMEDIATE` … `COMMIT`, rolled back when it
    /// throws). Transactions run one at a time; `body` must use only the database it is given.
    public func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await transactionGate.run {
            let db = transactionConnection.sql()
            try await db.raw("BEGIN IMMEDIATE").run()
            do {
                let result = try await body(db)
                try await db.raw("COMMIT").run()
                return result
            } catch {
                try? await db.raw("ROLLBACK").run()
                throw error
            }
        }
    }

    /// Opens the database and applies the connection settings Kiln relies on.
    public static func open(url: String, logger: Logger) async throws -> KilnDatabase {
        switch try Backend.parse(url) {
        case .postgres:
            throw KilnError(.unavailable, "the PostgreSQL backend is not available in this build yet; use sqlite:PATH")
        case .sqlite(let path):
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let connection = try await SQLiteConnection.open(
                storage: .file(path: path), threadPool: .singleton, logger: logger,
                on: MultiThreadedEventLoopGroup.singleton.any())
            let threads = NIOThreadPool(numberOfThreads: 1)
            threads.start()
            let transactionConnection: SQLiteConnection
            do {
                transactionConnection = try await SQLiteConnection.open(
                    storage: .file(path: path), threadPool: threads, logger: logger,
                    on: MultiThreadedEventLoopGroup.singleton.any())
            } catch {
                try? await connection.close()
                try? await threads.shutdownGracefully()
                throw error
            }
            let database = KilnDatabase(
                connection: connection, transactionConnection: transactionConnection, transactionThreads: threads, logger: logger)
            do {
                // WAL: readers never block the writer. NORMAL sync is durable against a process
                // crash (kill -9) in WAL mode; FULL would also survive power loss at a write cost.
                for db in [database.sql, transactionConnection.sql()] {
                    for pragma in ["PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL",
                                   "PRAGMA busy_timeout=5000", "PRAGMA foreign_keys=ON"] {
                        try await db.raw(SQLQueryString(pragma)).run()
                    }
                }
            } catch {
                await database.close()
                throw error
            }
            return database
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
            let closingTransactions: EventLoopFuture<Void> = transactionConnection.close()
            try await closingTransactions.get()
            try await transactionThreads.shutdownGracefully()
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

/// Something that runs a block of statements as one transaction (see `KilnDatabase.transaction`).
public protocol SQLTransactionRunner: Sendable {
    func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T
}

extension KilnDatabase: SQLTransactionRunner {}
