import Foundation
import HTTPTypes
import Hummingbird
import KilnCore
import KilnExplain
import KilnHTTPKit
import KilnJobs
import KilnServing
import KilnStore

/// `POST /v1/models/{model}[/versions/{version}]/explain`: a V2 inference request whose
/// `parameters` choose the method and its budget. Small explanations answer now; large ones
/// (or `parameters.job: true`) are queued as `explain` jobs and answered 202 with the job.
struct ExplainController {
    let registry: ModelRegistry
    let inference: InferenceService
    let explainer: ExplainService
    let jobs: JobService
    let blobs: BlobStore
    let maxBodyBytes: Int

    func addRoutes(to models: RouterGroup<KilnRequestContext>) {
        models.post("{model}/explain", use: explain)
        models.post("{model}/versions/{version}/explain", use: explain)
    }

    @Sendable func explain(_ request: Request, context: KilnRequestContext) async throws -> Response {
        let reference = try ModelReference(context)
        let received = try await InferenceRequestBody.read(request, limit: maxBodyBytes)
        let loaded = try await registry.resolveLoading(reference.model, version: reference.version)
        // Decoded straight from the received buffer, as /v2 infer does; copied only for a job.
        let decoded = try received.bytes.withUnsafeReadableBytes { try inference.decoder.decode(body: $0, headerLength: received.headerLength) }
        let options = try ExplainOptions(parameters: decoded.parameters)
        // Everything a job would refuse is refused now, before anything is queued.
        let instances = try explainer.instances(loaded, decoded, options: options)
        let planned = try explainer.checkedRows(loaded, instances: instances.count, options: options)
        if options.job ?? (planned > explainer.jobThresholdRows) {
            let (job, created) = try await ExplainJobHandler.submit(
                jobs: jobs, blobs: blobs, model: reference.model, version: reference.version, body: Array(received.bytes.readableBytesView),
                headerLength: received.headerLength, owner: try context.principal().actor,
                idempotencyKey: try JobsController.idempotencyKey(request))
            var headers = HTTPFields()
            headers[.location] = "/v1/jobs/\(job.id)"
            return try JSONBody.response(JobsController.Accepted(jobId: job.id, state: job.state),
                                         status: created ? .accepted : .ok, headers: headers)
        }
        return try JSONBody.response(try await explainer.explain(loaded, decoded, options: options))
    }
}
