import Foundation
import KilnCore
import KilnJobs
import KilnStore

/// `POST /v1/models/{model}/infer-async` and its result: an Open Inference Protocol request
/// stored as a blob and run as an `inference` job. The rules live here, not in the controller.
public struct AsyncInference: Sendable {
    let jobs: JobService
    let blobs: BlobStore

    public init(jobs: JobService, blobs: BlobStore) {
        self.jobs = jobs
        self.blobs = blobs
    }

    /// Checks the JSON header now, so that a malformed request is refused before anything is
    /// queued; then stores the body and queues the job.
    public func submit(
        model: String, version: String?, body: [UInt8], headerLength: Int?, owner: String, idempotencyKey: String?
    ) async throws -> (job: JobRecord, created: Bool) {
        let header = body.prefix(headerLength ?? body.count)
        guard (try? JSONSerialization.jsonObject(with: Data(header))) is [String: Any] else {
            throw KilnError.invalidArgument("the request is not an Open Inference Protocol JSON object")
        }
        let stored = try await blobs.write(bytes: body)
        let parameters = InferenceJobHandler.Parameters(model: model, version: version, headerLength: headerLength, request: stored.sha256)
        return try await jobs.submit(
            kind: InferenceJobHandler.kind, parameters: try JobCoding.encode(parameters), inputBlobs: [stored.sha256],
            owner: owner, idempotencyKey: idempotencyKey)
    }

    /// The stored V2 response of a succeeded inference job: its file, content type and JSON header length.
    public func response(of job: JobRecord) throws -> (file: URL, contentType: String, headerLength: Int?)? {
        guard job.kind == InferenceJobHandler.kind, let text = job.result else { return nil }
        let output = try JobCoding.decode(InferenceJobHandler.Output.self, from: text)
        guard let url = blobs.fileURL(sha256: output.response) else {
            throw KilnError.notFound("the result of job \(job.id) is no longer stored")
        }
        return (url, output.contentType, output.headerLength)
    }
}
