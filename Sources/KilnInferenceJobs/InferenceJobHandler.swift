import Foundation
import KilnCore
import KilnJobs
import KilnServing

/// The `inference` job kind: an Open Inference Protocol request (JSON or binary extension)
/// stored as the job's input blob, run like `POST /v2/models/{model}/infer`; the V2 response
/// is stored as the result blob. This is what MRI segmentation and other long inference use.
public struct InferenceJobHandler: JobHandler {
    public struct Parameters: Codable, Sendable {
        /// `name`, or `name@alias`.
        public var model: String
        /// A version number or alias.
        public var version: String?
        /// `Inference-Header-Content-Length` of the stored request, when it used the binary extension.
        public var headerLength: Int?
        public var request: String
    }

    public struct Output: Codable, Sendable {
        public var modelName: String
        public var modelVersion: String
        public var response: String
        public var contentType: String
        public var headerLength: Int?
    }

    public static let kind = "inference"

    let registry: ModelRegistry
    let inference: InferenceService

    public init(registry: ModelRegistry, inference: InferenceService) {
        self.registry = registry
        self.inference = inference
    }

    public func run(_ parameters: Parameters, context: JobContext) async throws -> Output {
        await context.progress(0, "loading the request")
        let body = [UInt8](try context.input(parameters.request))
        try context.checkCancellation()
        // A job can wait for a load (after a restart, or an unload by the memory budget).
        let loaded = try await registry.resolveLoading(parameters.model, version: parameters.version, always: true)
        await context.progress(0.1, "inferring")
        let response = try await inference.infer(loaded, body: body, headerLength: parameters.headerLength)
        let blob = try await context.store(response.bytes)
        return Output(
            modelName: loaded.name, modelVersion: String(loaded.version), response: blob.sha256,
            contentType: response.jsonHeaderLength == nil ? "application/json" : "application/octet-stream",
            headerLength: response.jsonHeaderLength)
    }
}
