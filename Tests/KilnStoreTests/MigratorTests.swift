import Foundation
import KilnCore
import KilnStore
import Logging
import SQLKit
import Testing

func withTemporaryDatabase<T>(_ body: (KilnDatabase, URL) async throws -> T) async throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-store-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    let database = try await KilnDatabase.open(url: "sqlite:\(directory.path)/kiln.sqlite", logger: Logger(label: "test"))
    do {
        let result = try await body(database, directory)
        await database.close()
        return result
    } catch {
        await database.close()
        throw error
    }
}

@Suite struct MigratorTests {
    @Test func appliesOnceInOrder() async throws {
        try await withTemporaryDatabase { database, _ in
            let migrator = Migrator()
            let first = try await migrator.migrate(database.sql)
            #expect(first == Migration.platform.map(\.version))
            #expect(try await migrator.migrate(database.sql).isEmpty)
            #expect(try await migrator.appliedVersions(database.sql) == Migration.platform.map(\.version))
        }
    }

    @Test func connectionSettingsAreApplied() async throws {
        try await withTemporaryDatabase { database, _ in
            let mode = try await database.sql.raw("PRAGMA journal_mode").first()?.decode(column: "journal_mode", as: String.self)
            #expect(mode == "wal")
            let foreignKeys = try await database.sql.raw("PRAGMA foreign_keys").first()?.decode(column: "foreign_keys", as: Int.self)
            #expect(foreignKeys == 1)
            let timeout = try await database.sql.raw("PRAGMA busy_timeout").first()?.decode(column: "timeout", as: Int.self)
            #expect(timeout == 5000)
        }
    }

    @Test func aFailingMigrationRollsBackCompletely() async throws {
        try await withTemporaryDatabase { database, _ in
            let broken = Migration.platform + [Migration(version: 99, name: "broken") { db in
                try await db.raw("CREATE TABLE half_done (x INTEGER)").run()
                try await db.raw("THIS IS NOT SQL").run()
            }]
            await #expect(throws: (any Error).self) { try await Migrator(migrations: broken).migrate(database.sql) }
            #expect(try await Migrator().appliedVersions(database.sql) == Migration.platform.map(\.version))
            let tables = try await database.sql.raw("SELECT name FROM sqlite_master WHERE name = 'half_done'").all()
            #expect(tables.isEmpty)
        }
    }

    @Test func aNewerSchemaIsRefused() async throws {
        try await withTemporaryDatabase { database, _ in
            let future = Migration.platform + [Migration(version: 1000, name: "from the future") { _ in }]
            try await Migrator(migrations: future).migrate(database.sql)
            await #expect(throws: KilnError.self) { try await Migrator().migrate(database.sql) }
        }
    }

    @Test func backendURLsParse() throws {
        #expect(try KilnDatabase.Backend.parse("sqlite:/tmp/a.db") == .sqlite(path: "/tmp/a.db"))
        #expect(try KilnDatabase.Backend.parse("sqlite:///tmp/a.db") == .sqlite(path: "/tmp/a.db"))
        #expect(try KilnDatabase.Backend.parse("data/kiln.sqlite") == .sqlite(path: "data/kiln.sqlite"))
        #expect(try KilnDatabase.Backend.parse("postgres://u@h/db") == .postgres(url: "postgres://u@h/db"))
        #expect(throws: KilnError.self) { try KilnDatabase.Backend.parse("mysql://h/db") }
        #expect(throws: KilnError.self) { try KilnDatabase.Backend.parse("sqlite:") }
    }
}
