import Foundation
import Hummingbird
import KilnCore
import KilnJobs
import KilnServing
import KilnStore
import KilnTracking
import CTRApp
import ImagingApp
import Logging
import HummingbirdWebSocket
import Prometheus
import ServiceLifecycle

/// The one place where Kiln's concrete parts are built and wired together.
public typealias KilnApplication = Application<RouterResponder<KilnRequestContext>>

public struct BuiltApplication: Sendable {
    public let application: KilnApplication
    /// Set when this start created the first admin key; `kiln serve` prints it once.
    public let bootstrapAdminKey: String?
}

/// Builds the server: opens the store and applies migrations, recovers the blob store, and
/// assembles the router. Every long-lived part is a `Service` of the returned application.
/// - Parameter onServerRunning: called with the bound port once the server accepts connections.
public func buildApplication(
    config: KilnConfig,
    logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws -> BuiltApplication {
    if config.allowAnonymous {
        guard config.isLoopbackHost else {
            throw KilnError.invalidArgument("allow_anonymous is only permitted when host is a loopback address (got '\(config.host)')")
        }
        logger.warning("anonymous access is enabled: unauthenticated requests act as role 'user'")
    }
    let layout = DataDirectory(path: config.dataDirectory)
    try layout.create()

    let database = try await KilnDatabase.open(url: config.databaseURL, logger: logger)
    let applied: [Int]
    do {
        applied = try await Migrator().migrate(database.sql)
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

    let audit = SQLAuditLogRepository(db: database.sql)
    let keys = KeyService(keys: SQLAPIKeyRepository(db: database.sql), audit: audit)
    let bootstrapKey = try await bootstrapAdminKeyIfNeeded(keys: keys, layout: layout)
    let tokens = try await TokenVerifier.make(
        hs256Secret: config.jwtHS256Secret,
        es256PublicKeyPEM: try config.jwtES256PublicKeyFile.map { path in
            do { return try String(contentsOfFile: path, encoding: .utf8) } catch {
                throw KilnError.invalidArgument("cannot read jwt_es256_public_key file \(path)")
            }
        })

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

    let json = JSONBody(limits: config.limits)
    let router = Router(context: KilnRequestContext.self)
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: ObservabilityMiddleware(metrics: metrics, accessLog: config.accessLog))
    if !config.corsOrigins.isEmpty {
        router.add(middleware: AllowedOriginsMiddleware(origins: Set(config.corsOrigins)))
    }
    router.add(middleware: ErrorMiddleware())
    // Routes added before the authentication middleware are public.
    HealthController(database: database, metrics: metrics).addRoutes(to: router)
    router.add(middleware: AuthenticationMiddleware(keys: keys, tokens: tokens, allowAnonymous: config.allowAnonymous))
    let limiter = RateLimiter(ratePerSecond: config.limits.rateLimitPerSecond, burst: config.limits.rateLimitBurst)
    if limiter.isEnabled {
        router.add(middleware: RateLimitMiddleware(limiter: limiter))
    }
    OpenAPIController().addRoutes(to: router)
    let adminOnly = RequireRoleMiddleware(.admin)
    let registry = ModelRegistry(manager: models, aliases: SQLModelAliasRepository(db: database.sql), audit: audit)
    try await registry.refresh()
    let inference = InferenceService(maxElements: config.serving.maxTensorElements)
    // Tracking, artifacts and the registry (joined to serving): MLflow's surface and the apps use them.
    let trackingRepository = SQLTrackingRepository(db: database.sql, transactions: database)
    let tracking = TrackingService(repository: trackingRepository)
    let artifacts = ArtifactService(
        blobs: blobs, index: SQLArtifactRepository(db: database.sql), references: SQLBlobReferenceRepository(db: database.sql),
        maxUploadBytes: config.limits.maxUploadBytes)
    let modelRegistry = RegistryService(
        repository: SQLModelRegistryRepository(db: database.sql, transactions: database), tracking: trackingRepository,
        serving: registry, artifacts: artifacts, logger: logger)
    let ctrFiles = CTRFileRepository(db: database.sql)
    let trainingFeed = TrainingFeed()
    let llm = ChatCompletionsClientProvider(settings: config.llm)
    let ctrTraining = CTRTrainingJob(
        tracking: tracking, registry: modelRegistry, artifacts: artifacts, files: ctrFiles, feed: trainingFeed,
        xgboost: { try runtimes.xgboostLibrary() }, torch: { try runtimes.torchRuntime() })
    let jobs = JobService(
        repository: SQLJobRepository(db: database.sql), references: SQLBlobReferenceRepository(db: database.sql), blobs: blobs,
        kinds: [
            RegisteredJobKind(InferenceJobHandler(registry: registry, inference: inference), workers: config.jobs.workersPerKind),
            // Training is CPU-bound: one at a time, so that serving keeps its cores.
            RegisteredJobKind(ctrTraining, workers: 1, timeout: .seconds(3600), maxAttempts: 1),
            // Segmentation is CPU-bound like training: one at a time.
            RegisteredJobKind(MRISegmentationJob(registry: registry), workers: 1, timeout: .seconds(600), maxAttempts: 2,
                              resultBlobs: { [$0.maskBlob, $0.previewBlob] }),
            RegisteredJobKind(
                CTRPDFJob(tracking: tracking, artifacts: artifacts, files: ctrFiles, settings: config.ctr, llm: llm),
                workers: 1, timeout: .seconds(300), maxAttempts: 1),
        ],
        settings: { var settings = JobService.Settings(); settings.retention = config.jobs.retentionSeconds; return settings }(),
        logger: logger)
    InferenceController(
        registry: registry, inference: inference,
        maxBodyBytes: config.limits.maxUploadBytes
    ).addRoutes(to: router, adminOnly: adminOnly)
    let v1 = router.group("v1")
    KeysController(keys: keys, json: json).addRoutes(to: v1.group("keys").add(middleware: adminOnly))
    let modelsGroup = v1.group("models")
    ModelsController(registry: registry, json: json, limits: config.limits, audit: audit).addRoutes(to: modelsGroup, adminOnly: adminOnly)
    JobsController(jobs: jobs, blobs: blobs, limits: config.limits)
        .addRoutes(jobsGroup: v1.group("jobs"), modelsGroup: modelsGroup, webSocketGroup: router.group("ws"))
    AuditController(audit: audit).addRoutes(to: v1.group("audit").add(middleware: adminOnly))
    BlobsController(
        blobs: blobs, references: SQLBlobReferenceRepository(db: database.sql), limits: config.limits, audit: audit
    ).addRoutes(to: v1.group("blobs"), adminOnly: adminOnly)

    let mlflow = router.group("api/2.0/mlflow")
    MLflowTrackingController(tracking: tracking, json: json).addRoutes(to: mlflow)
    MLflowRegistryController(registry: modelRegistry, json: json).addRoutes(to: mlflow)
    MLflowArtifactsController(artifacts: artifacts, maxUploadBytes: config.limits.maxUploadBytes)
        .addRoutes(to: router.group("api/2.0/mlflow-artifacts/artifacts"))

    // Apps, at their seeds' paths.
    let ctr = CTRService(
        files: ctrFiles, blobs: blobs, references: SQLBlobReferenceRepository(db: database.sql), tracking: tracking, jobs: jobs,
        artifacts: artifacts, feed: trainingFeed)
    let healthProbe = ServerHealthProbe(totals: metrics.totals)
    CTRController(
        service: ctr,
        operations: CTROperations(
            service: ctr, settings: config.ctr, llm: llm, jobs: jobs,
            latencies: servingMetrics.latencies, models: { [models] in models.index() }, health: { healthProbe.read() }),
        json: json, limits: config.limits, staging: layout.blobs.appendingPathComponent("tmp", isDirectory: true)
    ).addRoutes(to: router.group("api"), webSocket: router.group("ws"))

    let predictions = PredictionRepository(db: database.sql)
    let archive = PredictionArchive(predictions: predictions, blobs: blobs, references: SQLBlobReferenceRepository(db: database.sql))
    ImagingController(
        biomarkers: BiomarkerService(registry: registry, archive: archive),
        ct: CTClassificationService(registry: registry, archive: archive, keepIdentifiers: config.imaging.storeIdentifiedDICOM),
        mri: MRISegmentationService(registry: registry, jobs: jobs, blobs: blobs), jobs: jobs, blobs: blobs,
        reviews: ReviewService(predictions: predictions),
        datasets: FeedbackDatasetService(predictions: predictions, db: database.sql, blobs: blobs, references: SQLBlobReferenceRepository(db: database.sql)),
        json: json, limits: config.limits, staging: layout.blobs.appendingPathComponent("tmp", isDirectory: true)
    ).addRoutes(predict: router.group("predict"), v1: v1)

    var application = Application(
        router: router,
        server: .http1WebSocketUpgrade(
            webSocketRouter: router,
            configuration: .init(http1: .init(additionalChannelHandlers: [ExpectContinueHandler()]))),
        configuration: .init(address: .hostname(config.host, port: config.port), serverName: "kiln"),
        // Shut down in reverse: jobs first (they use models), then models, then the store.
        services: [database, models, jobs],
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
