import Hummingbird
import KilnCore
import KilnExplain
import KilnFeedback
import KilnHTTPKit
import KilnInferenceJobs
import KilnJobs
import KilnRetraining
import KilnServing
import KilnStore
import KilnTracking

/// Kiln's own surfaces, installed by the composition root: `/health`, `/ready`, `/metrics`
/// (public), and behind authentication `/openapi.json`, `/v1` (keys, models, jobs, blobs,
/// audit, feedback, datasets), `/v2` (Open Inference Protocol) and MLflow's REST API.
public struct NativeSurface: Sendable {
    public struct Services: Sendable {
        public var database: KilnDatabase
        public var metrics: HTTPMetrics
        public var keys: KeyService
        public var roles: RoleCatalog
        public var audit: any AuditLogRepository
        public var models: ModelRegistry
        public var inference: InferenceService
        public var blobs: BlobStore
        public var blobReferences: any BlobReferenceRepository
        public var tracking: TrackingService
        public var artifacts: ArtifactService
        public var registry: RegistryService
        public var feedback: FeedbackServices
        public var limits: Limits
        public var errorStatuses: ErrorStatusTable
        public var explainer: ExplainService

        public init(
            database: KilnDatabase, metrics: HTTPMetrics, keys: KeyService, roles: RoleCatalog, audit: any AuditLogRepository,
            models: ModelRegistry, inference: InferenceService, blobs: BlobStore, blobReferences: any BlobReferenceRepository,
            tracking: TrackingService, artifacts: ArtifactService, registry: RegistryService, feedback: FeedbackServices,
            limits: Limits, errorStatuses: ErrorStatusTable, explainer: ExplainService
        ) {
            self.explainer = explainer
            self.database = database
            self.metrics = metrics
            self.keys = keys
            self.roles = roles
            self.audit = audit
            self.models = models
            self.inference = inference
            self.blobs = blobs
            self.blobReferences = blobReferences
            self.tracking = tracking
            self.artifacts = artifacts
            self.registry = registry
            self.feedback = feedback
            self.limits = limits
            self.errorStatuses = errorStatuses
        }
    }

    /// The native part of `/openapi.json`; apps' fragments are merged into it.
    public static let openAPIDocument = NativeOpenAPI.document
    /// Native parts kept in their own files, merged like apps' fragments.
    public static let openAPIFragments: [(source: String, json: String)] = [
        ("learning loop", LearningLoopOpenAPI.fragment), ("sessions", SessionsOpenAPI.fragment),
    ]

    let services: Services

    public init(_ services: Services) {
        self.services = services
    }

    /// Routes that need no credentials; add them before the authentication middleware.
    public func addPublicRoutes(to router: Router<KilnRequestContext>) {
        HealthController(database: services.database, metrics: services.metrics, disk: DiskSpace(path: services.blobs.root.path),
                         minFreeSpace: services.limits.minFreeSpaceBytes).addRoutes(to: router)
    }

    /// Everything else, behind authentication. `openAPI` is the merged document.
    public func addRoutes(to router: Router<KilnRequestContext>, jobs: JobService, retraining: RetrainingService, scheduler: JobScheduler,
                          openAPI: [UInt8], reviewers: [Role]) {
        let json = JSONBody(limits: services.limits)
        OpenAPIController(document: openAPI).addRoutes(to: router)
        let adminOnly = RequireRoleMiddleware(.admin)
        InferenceController(
            registry: services.models, inference: services.inference, maxBodyBytes: services.limits.maxUploadBytes,
            errorStatuses: services.errorStatuses
        ).addRoutes(to: router, adminOnly: adminOnly)
        let v1 = router.group("v1")
        KeysController(keys: services.keys, roles: services.roles, json: json).addRoutes(to: v1.group("keys").add(middleware: adminOnly))
        let modelsGroup = v1.group("models")
        ModelsController(registry: services.models, json: json, limits: services.limits, audit: services.audit)
            .addRoutes(to: modelsGroup, adminOnly: adminOnly)
        JobsController(jobs: jobs, asyncInference: AsyncInference(jobs: jobs, blobs: services.blobs), limits: services.limits)
            .addRoutes(jobsGroup: v1.group("jobs"), modelsGroup: modelsGroup, webSocketGroup: router.group("ws"))
        ExplainController(registry: services.models, inference: services.inference, explainer: services.explainer, jobs: jobs,
                          blobs: services.blobs, maxBodyBytes: services.limits.maxUploadBytes).addRoutes(to: modelsGroup)
        AuditController(audit: services.audit).addRoutes(to: v1.group("audit").add(middleware: adminOnly))
        BlobsController(blobs: services.blobs, references: services.blobReferences, limits: services.limits, audit: services.audit)
            .addRoutes(to: v1.group("blobs"), adminOnly: adminOnly)
        FeedbackController(reviews: services.feedback.reviews, datasets: services.feedback.datasets, statistics: services.feedback.statistics,
                           labelStudio: services.feedback.labelStudio, json: json)
            .addRoutes(to: v1, reviewers: RequireRoleMiddleware(reviewers))
        RetrainingController(retraining: retraining, scheduler: scheduler, json: json)
            .addRoutes(to: v1, adminOnly: adminOnly, reviewers: RequireRoleMiddleware(reviewers))

        let mlflow = router.group("api/2.0/mlflow")
        MLflowTrackingController(tracking: services.tracking, json: json).addRoutes(to: mlflow)
        MLflowRegistryController(registry: services.registry, json: json).addRoutes(to: mlflow)
        MLflowArtifactsController(artifacts: services.artifacts, maxUploadBytes: services.limits.maxUploadBytes)
            .addRoutes(to: router.group("api/2.0/mlflow-artifacts/artifacts"))
    }
}
