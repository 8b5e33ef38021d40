import CTRApp
import Hummingbird
import KilnAppKit
import KilnCore
import KilnStore
import KilnHTTPKit
import KilnJobs

/// The CTR analytics app (seed 003): CSV upload, LSTM/XGBoost training with live progress,
/// feature analysis, the AI report and its PDF, monitoring and alerts.
public struct CTRHTTPApp: KilnApp {
    public init() {}

    public var name: String { "ctr" }

    public var settings: [ConfigSetting] { CTRSettings.settings }

    public var migrations: [MigrationSet] { [.ctr] }

    public var openAPIFragment: String? { CTROpenAPI.fragment }

    public func build(_ platform: KilnPlatform) async throws -> AppParts {
        let settings = platform.settings(CTRSettings.self)
        let files = CTRFileRepository(db: platform.database.sql)
        let feed = TrainingFeed()
        let runtimes = platform.runtimes
        let training = CTRTrainingJob(
            tracking: platform.tracking, registry: platform.registry, artifacts: platform.artifacts, files: files, feed: feed,
            xgboost: { try runtimes.xgboostLibrary() }, torch: { try runtimes.torchRuntime() })
        let pdf = CTRPDFJob(tracking: platform.tracking, artifacts: platform.artifacts, files: files, settings: settings, llm: platform.llm)
        return AppParts(jobKinds: [
            // Training is CPU-bound: one at a time, so that serving keeps its cores.
            RegisteredJobKind(training, workers: 1, timeout: .seconds(3600), maxAttempts: 1),
            RegisteredJobKind(pdf, workers: 1, timeout: .seconds(300), maxAttempts: 1),
        ], addPublicRoutes: { router in
            // The seed's frontend polls this before it has logged in.
            router.get("api/health", use: { _, _ in JSONBody.response(json: .object(["status": "ok", "app": "ctr"])) })
        }) { routes in
            let service = CTRService(
                files: files, blobs: platform.blobs, references: platform.blobReferences, tracking: platform.tracking, jobs: routes.jobs,
                artifacts: platform.artifacts, feed: feed)
            let models = platform.models.manager
            CTRController(
                service: service,
                operations: CTROperations(
                    service: service, settings: settings, llm: platform.llm, jobs: routes.jobs,
                    latencies: platform.servingLatencies, models: { models.index() }, health: platform.health),
                json: platform.json, limits: platform.limits, jobs: routes.jobs,
                pdfWait: .milliseconds(Int64(settings.pdfWaitSeconds * 1000)), staging: platform.staging
            ).addRoutes(to: routes.group("api"), webSocket: routes.group("ws"))
        }
    }
}
