import ArgumentParser
import Foundation
import KilnAppKit
import KilnCore
import KilnStore
import Logging

/// Options every command that touches the data directory takes. The installed apps are passed
/// in, not looked up: they decide which settings a config accepts and which migrations run.
public struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "Data directory (env KILN_HOME or KILN_DATA_DIR; default ./.kiln).")
    public var dataDir: String?

    @Option(name: .long, help: "JSON config file whose keys are setting names, e.g. {\"port\": 9000}.")
    public var config: String?

    @Option(name: .long, help: "Database URL: sqlite:PATH or postgres://… (default sqlite in the data dir).")
    public var database: String?

    public init() {}

    public var flagSettings: [String: String] {
        var flags: [String: String] = [:]
        flags["data_dir"] = dataDir
        flags["database"] = database
        return flags
    }

    public func loadConfig(apps: AppList, extraFlags: [String: String] = [:]) throws -> KilnConfig {
        try ConfigLoader.load(
            file: config, environment: ProcessInfo.processInfo.environment,
            flags: flagSettings.merging(extraFlags) { _, new in new }, settings: apps.settings)
    }

    /// Opens the store with the apps' migrations applied, for the offline commands.
    public func openDatabase(_ config: KilnConfig, apps: AppList) async throws -> KilnDatabase {
        try DataDirectory(path: config.dataDirectory).create()
        let database = try await KilnDatabase.open(url: config.databaseURL, synchronous: config.sqliteSynchronous, logger: commandLogger())
        do {
            try await apps.migrator().migrate(database.sql)
        } catch {
            await database.close()
            throw error
        }
        return database
    }

    /// Runs `body` with an open, migrated database and closes it afterwards, also on error.
    public func withDatabase<T>(
        apps: AppList, config: KilnConfig? = nil, _ body: (KilnDatabase) async throws -> T
    ) async throws -> T {
        let database = try await openDatabase(try config ?? loadConfig(apps: apps), apps: apps)
        do {
            let result = try await body(database)
            await database.close()
            return result
        } catch {
            await database.close()
            throw error
        }
    }
}

/// The logger of the offline commands: warnings and worse only, so their output stays theirs.
public func commandLogger() -> Logger {
    var logger = Logger(label: "kiln")
    logger.logLevel = .warning
    return logger
}

extension KilnError {
    /// A command-line failure with the error's message and a non-zero exit.
    public var exit: ValidationError { ValidationError(message) }
}
