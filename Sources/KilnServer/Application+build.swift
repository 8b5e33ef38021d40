import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import KilnAppKit
import KilnCore
import KilnExplain
import KilnFeedback
import KilnHTTP
import KilnHTTPKit
import KilnInferenceJobs
import KilnJobs
import KilnLLM
import KilnRetraining
import KilnServing
import KilnStore
import KilnTracking
import Logging
import Prometheus
import ServiceLifecycle

/// The one place where Kiln's concrete parts are built and wired together.
public typealias KilnApplication = Application<RouterResponder<KilnRequestContext>>

public struct BuiltApplication: Sendable {
    public let application: KilnApplication
    /// Set when this start created the first admin key; `kiln serve` prints it once.
    public let bootstrapAdminKey: String?
}

/// Builds the server: opens the store and applies the platform's and the apps' migrations,
/// recovers the blob store, builds the platform services, lets each app build on them, and
/// assembles the router. Every long-lived part is a `Service` of the returned application.
/// - Parameters:
///   - apps: the installed apps (the `kiln` executable's list); nothing else names an app.
///   - onServerRunning: called with the bound port once the server accepts connections.
public func buildApplication(
    config: KilnConfig,
    apps: AppList,
    logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws -> BuiltApplication {
    if config.allowAnonymous {
        guard config.isLoopbackHost else {
            throw KilnError.invalidArgument("allow_anonymous is only permitted when host is a loopback address (got '\(config.host)')")
        }
        logger.warning("anonymous access is enabled: unauthenticated requests act as role 'user'")
    }
    try apps.checkNames()
    let errorStatuses = try apps.errorStatuses()
    let migrator = try apps.migrator()
    let openAPI = try ServedOpenAPI.document(apps: apps, errorStatuses: errorStatuses)
    let layout = DataDirectory(path: config.dataDirectory)
    try layout.create()

    let database = try await KilnDatabase.open(url: config.databaseURL, synchronous: config.sqliteSynchronous, logger: logger)
    let applied: [Int]
    do {
        applied = try await migrator.migrate(database.sql)
    } catch {
        await database.close()
        throw error
    }
    if !applied.isEmpty {
        logger.info("applied migrations", metadata: ["versions": "\(applied)"])
    }

    let blobs = try BlobStore(root: layout.blobs)
    let removed = try blobs.removeIncompleteWrites()
    if removed > 0 {
        logger.notice("removed incomplete uploads left by an earlier crash", metadata: ["count": "\(removed)"])
    }
    let blobReferences = SQLBlobReferenceRepository(db: database.sql)

    let audit = SQLAuditLogRepository(db: database.sql)
    let keys = KeyService(keys: SQLAPIKeyRepository(db: database.sql), audit: audit)
    let bootstrapKey = try await bootstrapAdminKeyIfNeeded(keys: keys, layout: layout)
    let tokens = try await TokenVerifier.make(
        hs256Secret: config.jwtHS256Secret,
        es256PublicKeyPEM: try config.jwtES256PublicKeyFile.map { path in
            do { return try String(contentsOfFile: path, encoding: .utf8) } catch {
                throw KilnError.invalidArgument("cannot read jwt_es256_public_key file \(path)")
            }
        },
        roles: apps.roles, mapping: config.jwtClaims)
    let sessions = SessionService(
        sessions: SQLBrowserSessionRepository(db: database.sql), keys: SQLAPIKeyRepository(db: database.sql), audit: audit,
        settings: {
            var settings = SessionService.Settings()
            settings.lifetime = .milliseconds(Int64(config.sessions.lifetimeSeconds * 1000))
            settings.ticketLifetime = .milliseconds(Int64(config.sessions.ticketSeconds * 1000))
            return settings
        }())
    let credentials = CredentialVerifier(keys: keys, tokens: tokens)

    let metrics = HTTPMetrics(registry: PrometheusCollectorRegistry())
    let runtimes = RuntimeFactory(threads: EngineThreads(
        intraOp: config.serving.engineThreads ?? ProcessInfo.processInfo.activeProcessorCount,
        openBLAS: config.serving.openBLASThreads))
    let servingMetrics = ServingMetrics(factory: metrics.factory)
    let models = ModelManager(
        repository: ModelRepository(root: URL(fileURLWithPath: config.modelRepositoryPath, isDirectory: true)),
        factory: runtimes,
        settings: {
            var settings = ModelManager.Settings()
            settings.maxQueueSize = config.serving.maxQueueSize
            settings.memoryBudget = config.serving.modelMemoryBudget
            settings.lazyLoad = config.serving.lazyLoad
            return settings
        }(),
        metrics: servingMetrics,
        logger: logger)
    let registry = ModelRegistry(manager: models, aliases: SQLModelAliasRepository(db: database.sql), audit: audit)
    try await registry.refresh()
    let inference = InferenceService(maxElements: config.serving.maxTensorElements)
    let explainer = ExplainService()
    // Tracking, artifacts and the registry (joined to serving): MLflow's surface and the apps use them.
    let trackingRepository = SQLTrackingRepository(db: database.sql, transactions: database)
    let tracking = TrackingService(repository: trackingRepository)
    let artifacts = ArtifactService(
        blobs: blobs, index: SQLArtifactRepository(db: database.sql), references: blobReferences,
        maxUploadBytes: config.limits.maxUploadBytes)
    let modelRegistry = RegistryService(
        repository: SQLModelRegistryRepository(db: database.sql, transactions: database), tracking: trackingRepository,
        serving: registry, artifacts: artifacts, logger: logger)
    let feedback = FeedbackServices(db: database.sql, blobs: blobs, references: blobReferences)
    let healthProbe = ServerHealthProbe(totals: metrics.totals)
    let platform = KilnPlatform(
        config: config, logger: logger, database: database, blobs: blobs, blobReferences: blobReferences,
        staging: layout.blobs.appendingPathComponent("tmp", isDirectory: true), models: registry, inference: inference,
        explainer: explainer, runtimes: runtimes, servingLatencies: servingMetrics.latencies, tracking: tracking, artifacts: artifacts,
        registry: modelRegistry, feedback: feedback, llm: ChatCompletionsClientProvider(settings: config.llm),
        health: { healthProbe.read() })

    // Each app builds its services on the platform; its job kinds join the platform's.
    var parts: [AppParts] = []
    for app in apps.apps {
        parts.append(try await app.build(platform))
    }
    // The closed loop: each app's trainers behind one `retraining` job kind (one at a time per
    // node: training takes the machine's cores).
    let retrainers = parts.flatMap(\.retrainers)
    let retrainingHandler = RetrainingJobHandler(
        trainers: retrainers, registry: registry, feedback: feedback, tracking: tracking, audit: audit,
        staging: layout.blobs.appendingPathComponent("tmp", isDirectory: true))
    let jobs = JobService(
        repository: SQLJobRepository(db: database.sql), references: blobReferences, blobs: blobs,
        kinds: [RegisteredJobKind(InferenceJobHandler(registry: registry, inference: inference), workers: config.jobs.workersPerKind),
                RegisteredJobKind(ExplainJobHandler(registry: registry, inference: inference, explainer: explainer), workers: config.jobs.workersPerKind),
                RegisteredJobKind(retrainingHandler, workers: 1, timeout: .seconds(3600), maxAttempts: 2)]
            + parts.flatMap(\.jobKinds),
        settings: {
            var settings = JobService.Settings()
            settings.retention = config.jobs.retentionSeconds
            // Jobs give up a little before the whole server does (at most 2 s, at most half).
            let drain = config.shutdownTimeoutSeconds - min(2, config.shutdownTimeoutSeconds / 2)
            settings.drainTimeout = .milliseconds(Int64(drain * 1000))
            return settings
        }(),
        logger: logger)
    let retraining = RetrainingService(jobs: jobs, registry: registry, trainers: retrainers)
    let scheduler = JobScheduler(
        repository: SQLJobScheduleRepository(db: database.sql), jobs: jobs,
        targets: [RetrainingJobHandler.kind: retraining.scheduleTarget],
        counters: ["reviews": { model in try await feedback.predictions.reviewCount(model: model) }],
        logger: logger)

    let router = Router(context: KilnRequestContext.self)
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: ObservabilityMiddleware(metrics: metrics, accessLog: config.accessLog))
    if !config.corsOrigins.isEmpty {
        router.add(middleware: AllowedOriginsMiddleware(origins: Set(config.corsOrigins), allowCredentials: config.corsCredentials))
    }
    router.add(middleware: ErrorMiddleware(statuses: errorStatuses))
    let native = NativeSurface(.init(
        database: database, metrics: metrics, keys: keys, roles: apps.roles, audit: audit, models: registry, inference: inference,
        blobs: blobs, blobReferences: blobReferences, tracking: tracking, artifacts: artifacts, registry: modelRegistry,
        feedback: feedback, limits: config.limits, errorStatuses: errorStatuses, explainer: explainer))
    // Routes added before the authentication middleware are public.
    native.addPublicRoutes(to: router)
    let sessionRoutes = SessionsController(credentials: credentials, sessions: sessions, json: JSONBody(limits: config.limits),
                                           secureCookies: config.sessions.secureCookies)
    sessionRoutes.addPublicRoutes(to: router)
    for part in parts {
        try part.addPublicRoutes(router)
    }
    router.add(middleware: AuthenticationMiddleware(
        credentials: credentials, sessions: sessions, trustedOrigins: Set(config.corsOrigins.filter { $0 != "*" }),
        allowAnonymous: config.allowAnonymous))
    let limiter = RateLimiter(ratePerSecond: config.limits.rateLimitPerSecond, burst: config.limits.rateLimitBurst)
    if limiter.isEnabled {
        router.add(middleware: RateLimitMiddleware(limiter: limiter))
    }
    let disk = DiskSpace(path: blobs.root.path)
    router.add(middleware: StorageGuardMiddleware(availableBytes: { disk.availableBytes() }))
    sessionRoutes.addRoutes(to: router.group("v1"))
    native.addRoutes(to: router, jobs: jobs, retraining: retraining, scheduler: scheduler, openAPI: openAPI, reviewers: apps.reviewers)
    let routes = AppRoutes(router: router, jobs: jobs, reviewers: apps.reviewers)
    for part in parts {
        try part.addRoutes(routes)
    }

    let connections = ConnectionCounter(limits: config.limits.connections)
    let webSocketResponder = router.buildResponder()
    var application = Application(
        router: router,
        server: HTTPServerBuilder { responder in
            GuardedChildChannel(
                base: HTTP1WebSocketUpgradeChannel(
                    responder: responder, webSocketResponder: webSocketResponder,
                    configuration: .init(
                        http1: .init(additionalChannelHandlers: [
                            ConnectionTimeoutHandler(limits: config.limits.connections), ExpectContinueHandler(),
                        ]),
                        ws: .init(autoPing: config.limits.connections.webSocketPingSeconds.map {
                            .enabled(timePeriod: .milliseconds(Int64($0 * 1000)))
                        } ?? .disabled))),
                counter: connections, limits: config.limits.connections)
        },
        configuration: .init(address: .hostname(config.host, port: config.port), serverName: "kiln"),
        // Shut down in reverse: jobs first (they use models), then models, then the store.
        services: [database, models, jobs, scheduler],
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? config.port) },
        logger: logger)
    // Models load before the server accepts requests, so that /ready means ready to infer.
    application.beforeServerStarts {
        switch config.serving.loadModels {
        case .all where config.serving.lazyLoad: break
        case .all: await models.loadAll()
        case .none: break
        case .named(let names):
            for name in names {
                do { try await models.load(name) } catch {
                    logger.warning("model not loaded at start", metadata: ["model": "\(name)", "reason": "\(error)"])
                }
            }
        }
        jobs.startGate.open()
    }
    return BuiltApplication(application: application, bootstrapAdminKey: bootstrapKey)
}

/// On the very first start (no keys at all) creates an admin key and stores it in
/// `<data-dir>/admin.key` with mode 0600, so that the operator can get in.
func bootstrapAdminKeyIfNeeded(keys: KeyService, layout: DataDirectory) async throws -> String? {
    guard try await !keys.hasAnyKey() else { return nil }
    let created = try await keys.create(role: .admin, name: "bootstrap admin", actor: "system:bootstrap")
    try layout.writeSecret(created.secret + "\n", to: layout.adminKeyFile)
    return created.secret
}

/// Runs the application until SIGTERM or SIGINT, then drains in-flight work for at most
/// `shutdownTimeout` before cancelling what is left.
public func runUntilSignalled(_ application: KilnApplication, shutdownTimeout: Duration, logger: Logger) async throws {
    var configuration = ServiceGroupConfiguration(
        services: [.init(service: application)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
    configuration.maximumGracefulShutdownDuration = shutdownTimeout
    try await ServiceGroup(configuration: configuration).run()
}
