import ArgumentParser
import KilnCLIKit
import KilnCore
import KilnStore

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations and report the schema version.")

    @OptionGroup var store: StoreOptions

    func run() async throws {
        let config = try store.loadConfig(apps: InstalledApps.apps)
        try DataDirectory(path: config.dataDirectory).create()
        let database = try await KilnDatabase.open(url: config.databaseURL, synchronous: config.sqliteSynchronous, logger: commandLogger())
        let migrator = try InstalledApps.apps.migrator()
        let applied = try await migrator.migrate(database.sql)
        print(applied.isEmpty ? "schema is up to date (version \(migrator.latestVersion))"
                              : "applied migrations \(applied.map(String.init).joined(separator: ", ")); schema version \(migrator.latestVersion)")
        await database.close()
    }
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print Kiln's version.")

    func run() {
        print("kiln \(KilnVersion.current)")
    }
}
