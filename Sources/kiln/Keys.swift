import ArgumentParser
import Foundation
import KilnCLIKit
import KilnCore
import KilnStore

struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage API keys directly in the store (works while the server runs).",
        subcommands: [Create.self, List.self, Revoke.self])

    static func service(_ database: KilnDatabase) -> KeyService {
        KeyService(keys: SQLAPIKeyRepository(db: database.sql), audit: SQLAuditLogRepository(db: database.sql))
    }

    static var actor: String { "cli:\(ProcessInfo.processInfo.userName)" }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key and print its secret once.")

        @Option(help: "admin, user, service, reviewer, or a role an app adds (clinician).") var role: String
        @Option(help: "A label for the key.") var name: String?
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let role: Role
            do { role = try InstalledApps.apps.roles.role(named: self.role) } catch let error as KilnError { throw error.exit }
            let created = try await store.withDatabase(apps: InstalledApps.apps) { database in
                do {
                    return try await Keys.service(database).create(role: role, name: name, actor: Keys.actor)
                } catch let error as KilnError {
                    throw error.exit
                }
            }
            print("id:   \(created.record.id)\nrole: \(role.rawValue)\nkey:  \(created.secret)")
            print("Store the key now: it is not shown again.")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (secrets are never shown).")

        @OptionGroup var store: StoreOptions

        func run() async throws {
            let keys = try await store.withDatabase(apps: InstalledApps.apps) { try await Keys.service($0).list() }
            let formatter = ISO8601DateFormatter()
            print("ID\tROLE\tCREATED\tREVOKED\tNAME")
            for key in keys {
                print([key.id, key.role.rawValue, formatter.string(from: key.createdAt),
                       key.revokedAt.map(formatter.string(from:)) ?? "-", key.name].joined(separator: "\t"))
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a key. A running server stops accepting it within 5 seconds.")

        @Argument(help: "The key id (key_…), as shown by `kiln keys list`.") var id: String
        @OptionGroup var store: StoreOptions

        func run() async throws {
            try await store.withDatabase(apps: InstalledApps.apps) { database in
                do {
                    _ = try await Keys.service(database).revoke(id: id, actor: Keys.actor)
                } catch let error as KilnError {
                    throw error.exit
                }
            }
            print("revoked \(id)")
        }
    }
}
