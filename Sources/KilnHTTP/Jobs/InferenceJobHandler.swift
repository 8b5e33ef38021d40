import Foundation
import KilnCore
import KilnJobs
import KilnServing

/// The `inference` job kind: an Open Inference Protocol request (JSON or binary extension)
/// stored as the job's input blob, run like `POST /v2/models/{model}/infer`; the V2 response
/// is stored as the result blob. This is what MRI segmentation and other long inference use.
struct InferenceJobHandler: JobHandler {
    struct Parameters: Codable, Sendable {
        /// `name`, or `name@alias`.
        var model: String
        /// A version number or alias.
        var version: String?
        /// `Inference-Header-Content-Length` of the stored request, when it used the binary extension.
        var headerLength: Int?
        var request: String
    }

    struct Output: Codable, Sendable {
        var modelName: String
        var modelVersion: String
        var response: String
        var contentType: String
        var headerLength: Int?
    }

    static let kind = "inference"

    let registry: ModelRegistry
    let inference: InferenceService

    func run(_ parameters: Parameters, context: JobContext) async throws -> Output {
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
