import Hummingbird
import KilnCore
import KilnHTTPKit
import KilnJobs
import KilnRetraining
import KilnStore

/// What an app is to the platform. An app's HTTP module conforms to this protocol; the
/// composition root (`buildApplication(config:apps:)`) takes a list of apps and wires each one
/// from what it declares here, so adding an app changes nothing below the app list.
///
/// Declarations (`settings`, `migrations`, `errorCodes`, `roles`, `openAPIFragment`) are read
/// before the store opens; `build` runs once the platform services exist.
public protocol KilnApp: Sendable {
    /// A short, stable name (`imaging`, `ctr`): logs, error messages, the README's tables.
    var name: String { get }
    /// The app's config section: keys, environment names, defaults and help text.
    var settings: [ConfigSetting] { get }
    /// The app's tables. Versions share the store's one number line (see `MigrationSet`).
    var migrations: [MigrationSet] { get }
    /// The app's own error codes and the HTTP status each one answers with.
    var errorCodes: [ErrorCode: HTTPResponse.Status] { get }
    /// Roles the app adds to the platform's (`admin`, `user`, `service`, `reviewer`).
    var roles: [AppRole] { get }
    /// The app's part of `/openapi.json`: a JSON object with `paths`, `tags` and `components`.
    var openAPIFragment: String? { get }
    /// Builds the app's services on the platform and returns its job kinds and routes.
    func build(_ platform: KilnPlatform) async throws -> AppParts
}

extension KilnApp {
    public var settings: [ConfigSetting] { [] }
    public var migrations: [MigrationSet] { [] }
    public var errorCodes: [ErrorCode: HTTPResponse.Status] { [:] }
    public var roles: [AppRole] { [] }
    public var openAPIFragment: String? { nil }
}

/// A role an app adds, and whether holders may review predictions (the feedback surface).
public struct AppRole: Sendable {
    public var role: Role
    public var reviewsPredictions: Bool

    public init(_ role: Role, reviewsPredictions: Bool = false) {
        self.role = role
        self.reviewsPredictions = reviewsPredictions
    }
}

/// What `KilnApp.build` gives back: the job kinds to register, the trainers that retrain its
/// models from reviews (the platform's `retraining` job runs them), and the routes to add once
/// the job service exists (routes usually submit jobs, and job handlers must be known first).
public struct AppParts {
    public var jobKinds: [RegisteredJobKind]
    public var retrainers: [any ModelRetrainer]
    public var addRoutes: (AppRoutes) throws -> Void
    /// Routes that answer without credentials (a health check the seed's frontend polls),
    /// added before authentication; keep them free of data.
    public var addPublicRoutes: (Router<KilnRequestContext>) throws -> Void

    public init(jobKinds: [RegisteredJobKind] = [], retrainers: [any ModelRetrainer] = [],
                addPublicRoutes: @escaping (Router<KilnRequestContext>) throws -> Void = { _ in },
                addRoutes: @escaping (AppRoutes) throws -> Void) {
        self.jobKinds = jobKinds
        self.retrainers = retrainers
        self.addPublicRoutes = addPublicRoutes
        self.addRoutes = addRoutes
    }
}

/// Where an app's routes go: behind authentication and rate limiting, at any path the app's
/// seed documents (the app's own path prefixes; the platform's `/v1`, `/v2`, `/api/2.0` are
/// not the app's to use), plus the running job service.
public struct AppRoutes {
    public let router: Router<KilnRequestContext>
    public let jobs: JobService
    /// The roles that may review predictions: admin, reviewer and every app's reviewing roles.
    public let reviewers: [Role]

    public init(router: Router<KilnRequestContext>, jobs: JobService, reviewers: [Role]) {
        self.router = router
        self.jobs = jobs
        self.reviewers = reviewers
    }

    /// A route group at `path` (e.g. `predict`, `api`, `ws`).
    public func group(_ path: String) -> RouterGroup<KilnRequestContext> {
        router.group(RouterPath(path))
    }
}
