import ArgumentParser
import Foundation
import KilnCore
import KilnStore
import Logging

/// Options every command that touches the data directory takes.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "Data directory (env KILN_HOME or KILN_DATA_DIR; default ./.kiln).")
    var dataDir: String?

    @Option(name: .long, help: "JSON config file whose keys are setting names, e.g. {\"port\": 9000}.")
    var config: String?

    @Option(name: .long, help: "Database URL: sqlite:PATH or postgres://… (default sqlite in the data dir).")
    var database: String?

    var flagSettings: [String: String] {
        var flags: [String: String] = [:]
        flags["data_dir"] = dataDir
        flags["database"] = database
        return flags
    }

    func loadConfig(extraFlags: [String: String] = [:]) throws -> KilnConfig {
        try ConfigLoader.load(
            file: config, environment: ProcessInfo.processInfo.environment,
            flags: flagSettings.merging(extraFlags) { _, new in new }, settings: installedApps.settings)
    }

    /// Opens the store with migrations applied, for the offline commands.
    func openDatabase(_ config: KilnConfig) async throws -> KilnDatabase {
        try DataDirectory(path: config.dataDirectory).create()
        let database = try await KilnDatabase.open(url: config.databaseURL, logger: commandLogger())
        do {
            try await installedApps.migrator().migrate(database.sql)
        } catch {
            await database.close()
            throw error
        }
        return database
    }
}

func commandLogger() -> Logger {
    var logger = Logger(label: "kiln")
    logger.logLevel = .warning
    return logger
}

/// Runs `body` with an open database and closes it afterwards, also on error.
func withDatabase<T>(_ options: StoreOptions, _ body: (KilnDatabase) async throws -> T) async throws -> T {
    let database = try await options.openDatabase(try options.loadConfig())
    do {
        let result = try await body(database)
        await database.close()
        return result
    } catch {
        await database.close()
        throw error
    }
}

extension KilnError {
    /// A command-line failure with the error's message and a non-zero exit.
    var exit: ValidationError { ValidationError(message) }
}
