import KilnCore
import KilnFeedback
import KilnHTTPKit
import KilnStore

/// The installed apps and what they add up to with the platform: every setting, migration set,
/// role and error code the server knows. The `kiln` executable makes one from its app list; so
/// do tests that start a server with other apps.
public struct AppList: Sendable {
    public let apps: [any KilnApp]

    public init(_ apps: [any KilnApp]) {
        self.apps = apps
    }

    /// The platform's settings and then each app's (a name defined twice is refused at load).
    public var settings: [ConfigSetting] {
        ConfigSetting.platform + apps.flatMap(\.settings)
    }

    /// The platform's migrations, the feedback store's, then each app's.
    public var migrationSets: [MigrationSet] {
        [.platform, .feedback] + apps.flatMap(\.migrations)
    }

    public func migrator() throws -> Migrator {
        try Migrator(sets: migrationSets)
    }

    public var roles: RoleCatalog {
        RoleCatalog(Role.platform + apps.flatMap { $0.roles.map(\.role) })
    }

    /// Roles that may review predictions: admin and reviewer, and each app's reviewing roles.
    public var reviewers: [Role] {
        [.admin, .reviewer] + apps.flatMap { $0.roles.filter(\.reviewsPredictions).map(\.role) }
    }

    public func errorStatuses() throws -> ErrorStatusTable {
        try apps.reduce(ErrorStatusTable.platform) { table, app in try table.adding(app.errorCodes, from: "app '\(app.name)'") }
    }

    /// Refuses two apps with one name.
    public func checkNames() throws {
        var seen = Set<String>()
        for app in apps where !seen.insert(app.name).inserted {
            throw KilnError(.internal, "two apps are named '\(app.name)'")
        }
    }
}
