import Foundation
import KilnCore
import KilnJobs
import KilnServing
import KilnStore

/// The `explain` job kind: an explain request (a V2 request whose `parameters` hold the
/// options) stored as the job's input blob; the `ExplainAnswer` is the job's result.
public struct ExplainJobHandler: JobHandler {
    public struct Parameters: Codable, Sendable {
        /// `name`, or `name@alias`.
        public var model: String
        public var version: String?
        public var headerLength: Int?
        public var request: String
    }

    public static let kind = "explain"

    let registry: ModelRegistry
    let inference: InferenceService
    let explainer: ExplainService

    public init(registry: ModelRegistry, inference: InferenceService, explainer: ExplainService) {
        self.registry = registry
        self.inference = inference
        self.explainer = explainer
    }

    public func run(_ parameters: Parameters, context: JobContext) async throws -> ExplainAnswer {
        await context.progress(0, "loading the request")
        let body = [UInt8](try context.input(parameters.request))
        let loaded = try await registry.resolveLoading(parameters.model, version: parameters.version, always: true)
        let request = try inference.decoder.decode(body: body, headerLength: parameters.headerLength)
        let options = try ExplainOptions(parameters: request.parameters)
        return try await explainer.explain(loaded, request, options: options) { fraction in
            await context.progress(0.05 + 0.95 * fraction, "evaluating the model")
        }
    }

    /// Stores the request and queues the job (the request was checked by the caller).
    public static func submit(
        jobs: JobService, blobs: BlobStore, model: String, version: String?, body: [UInt8], headerLength: Int?,
        owner: String, idempotencyKey: String?
    ) async throws -> (job: JobRecord, created: Bool) {
        let stored = try await blobs.write(bytes: body)
        let parameters = Parameters(model: model, version: version, headerLength: headerLength, request: stored.sha256)
        return try await jobs.submit(kind: kind, parameters: try JobCoding.encode(parameters), inputBlobs: [stored.sha256],
                                     owner: owner, idempotencyKey: idempotencyKey)
    }
}
