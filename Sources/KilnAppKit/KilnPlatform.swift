import Foundation
import KilnCore
import KilnExplain
import KilnFeedback
import KilnHTTPKit
import KilnLLM
import KilnServing
import KilnStore
import KilnTracking
import Logging

/// The shared platform services an app receives in `KilnApp.build`, in one value. Apps use
/// these instead of building their own, so every app shares one store, one model registry,
/// one tracking store and one feedback store.
public struct KilnPlatform: Sendable {
    public let config: KilnConfig
    public let logger: Logger
    /// Store
    public let database: KilnDatabase
    public let blobs: BlobStore
    public let blobReferences: any BlobReferenceRepository
    /// Where uploads are staged while a body streams in (same file system as the blobs).
    public let staging: URL
    /// Serving: models by name and alias, the typed inference front door, engines for training.
    public let models: ModelRegistry
    public let inference: InferenceService
    /// Explanations of tabular models (TreeSHAP, KernelSHAP, LIME, permutation).
    public let explainer: ExplainService
    public let runtimes: RuntimeFactory
    public let servingLatencies: ServingLatencies
    /// Tracking runs, artifacts and the model registry (MLflow's store).
    public let tracking: TrackingService
    public let artifacts: ArtifactService
    public let registry: RegistryService
    /// Predictions kept for review, reviews and labelled datasets.
    public let feedback: FeedbackServices
    /// The configured LLM client, if any.
    public let llm: ChatCompletionsClientProvider
    /// The process's health, for dashboards.
    public let health: @Sendable () -> ServerHealth

    public init(
        config: KilnConfig, logger: Logger, database: KilnDatabase, blobs: BlobStore, blobReferences: any BlobReferenceRepository,
        staging: URL, models: ModelRegistry, inference: InferenceService, explainer: ExplainService, runtimes: RuntimeFactory, servingLatencies: ServingLatencies,
        tracking: TrackingService, artifacts: ArtifactService, registry: RegistryService, feedback: FeedbackServices,
        llm: ChatCompletionsClientProvider, health: @escaping @Sendable () -> ServerHealth
    ) {
        self.config = config
        self.logger = logger
        self.database = database
        self.blobs = blobs
        self.blobReferences = blobReferences
        self.staging = staging
        self.models = models
        self.inference = inference
        self.explainer = explainer
        self.runtimes = runtimes
        self.servingLatencies = servingLatencies
        self.tracking = tracking
        self.artifacts = artifacts
        self.registry = registry
        self.feedback = feedback
        self.llm = llm
        self.health = health
    }

    /// The request limits in effect.
    public var limits: Limits { config.limits }

    /// JSON bodies under the configured limits.
    public var json: JSONBody { JSONBody(limits: config.limits) }

    /// The app's config section (its defaults when nothing set it).
    public func settings<Section: ConfigSection>(_ type: Section.Type) -> Section {
        config.sections[type]
    }
}
