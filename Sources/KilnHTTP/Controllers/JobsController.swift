import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import KilnCore
import KilnHTTPKit
import KilnInferenceJobs
import KilnJobs
import KilnStore
import NIOCore

/// `/v1/jobs` and `POST /v1/models/{model}/infer-async`.
///
/// Callers see their own jobs; admins see all. Another caller's job answers 404, not 403, so
/// that job ids leak nothing.
struct JobsController {
    let jobs: JobService
    let asyncInference: AsyncInference
    let limits: Limits

    struct JobView: Encodable {
        var id: String
        var kind: String
        var state: JobState
        var progress: Double
        var progressMessage: String?
        var result: JSONValue?
        var resultBlobs: [String]
        var error: ErrorView?
        var attempts: Int
        var maxAttempts: Int
        var priority: Int
        var owner: String
        var createdAt: Date
        var startedAt: Date?
        var finishedAt: Date?

        struct ErrorView: Encodable {
            var code: String
            var message: String
        }

        init(_ job: JobRecord) {
            id = job.id
            kind = job.kind
            state = job.state
            progress = job.progress
            progressMessage = job.progressMessage
            result = job.result.flatMap { try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }
            resultBlobs = job.resultBlobs
            error = job.errorCode.map { ErrorView(code: $0, message: job.errorMessage ?? "") }
            attempts = job.attempts
            maxAttempts = job.maxAttempts
            priority = job.priority
            owner = job.owner
            createdAt = job.createdAt
            startedAt = job.startedAt
            finishedAt = job.finishedAt
        }
    }

    struct JobList: Encodable {
        var jobs: [JobView]
        /// Pass as `cursor` for the next (older) page; absent on the last page.
        var nextCursor: String?
    }

    struct Accepted: Encodable {
        var jobId: String
        var state: JobState
    }

    func addRoutes(
        jobsGroup: RouterGroup<KilnRequestContext>, modelsGroup: RouterGroup<KilnRequestContext>, webSocketGroup: RouterGroup<KilnRequestContext>
    ) {
        webSocketGroup.webSocketPush("jobs/{id}", shouldUpgrade: { _, context in
            // Refuse before upgrading: unknown and other callers' jobs are 404 like on /v1.
            _ = try await visibleJob(context)
        }, send: { outbound, context in
            let job = try await visibleJob(context.requestContext)
            try await streamEvents(of: job.id) { _, text in try await outbound.write(.text(text)) }
        })
        jobsGroup.get(use: list)
        jobsGroup.get("{id}", use: show)
        jobsGroup.post("{id}/cancel", use: cancel)
        jobsGroup.delete("{id}", use: delete)
        jobsGroup.get("{id}/result", use: result)
        jobsGroup.get("{id}/events", use: events)
        modelsGroup.post("{model}/infer-async", use: inferAsync)
    }

    @Sendable func inferAsync(_ request: Request, context: KilnRequestContext) async throws -> Response {
        let reference = try ModelReference(context)
        let received = try await InferenceRequestBody.read(request, limit: limits.maxUploadBytes)
        let body = received.bytes
        let headerLength = received.headerLength
        // Check the JSON header now, so that a malformed request is refused before anything is queued.
        let (job, created) = try await asyncInference.submit(
            model: reference.model, version: reference.version, body: Array(body.readableBytesView), headerLength: headerLength,
            owner: try context.principal().actor, idempotencyKey: try Self.idempotencyKey(request))
        var headers = HTTPFields()
        headers[.location] = "/v1/jobs/\(job.id)"
        return try JSONBody.response(Accepted(jobId: job.id, state: job.state), status: created ? .accepted : .ok, headers: headers)
    }

    @Sendable func show(_ request: Request, context: KilnRequestContext) async throws -> Response {
        try JSONBody.response(JobView(try await visibleJob(context)))
    }

    @Sendable func list(_ request: Request, context: KilnRequestContext) async throws -> Response {
        let principal = try context.principal()
        let limit = try QueryParameter.integer(request, "limit", default: 50, in: 1...500)
        let query = request.formQuery
        let state = try query["state"].map { text -> JobState in
            guard let state = JobState(rawValue: String(text)) else {
                throw KilnError.invalidArgument("state must be one of \(JobState.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return state
        }
        let kind = query["kind"]
        let cursor = try query["cursor"].map { try Self.decodeCursor(String($0)) }
        let page = try await jobs.list(
            owner: principal.role == .admin ? nil : principal.actor, state: state, kind: kind, limit: limit, before: cursor)
        let next = page.count == limit ? page.last.map { "\($0.createdAt.timeIntervalSince1970)_\($0.id)" } : nil
        return try JSONBody.response(JobList(jobs: page.map(JobView.init), nextCursor: next))
    }

    @Sendable func cancel(_ request: Request, context: KilnRequestContext) async throws -> Response {
        let job = try await visibleJob(context)
        return try JSONBody.response(JobView(try await jobs.cancel(id: job.id)))
    }

    @Sendable func delete(_ request: Request, context: KilnRequestContext) async throws -> Response {
        let job = try await visibleJob(context)
        try await jobs.delete(id: job.id)
        return Response(status: .noContent)
    }

    /// The job's result: for inference jobs the V2 response (JSON or binary, as requested);
    /// otherwise the result JSON.
    @Sendable func result(_ request: Request, context: KilnRequestContext) async throws -> Response {
        let job = try await visibleJob(context)
        guard job.state == .succeeded else {
            throw KilnError.conflict("job \(job.id) is \(job.state.rawValue); a result exists once it has succeeded",
                                     details: ["state": .string(job.state.rawValue)])
        }
        guard let stored = try asyncInference.response(of: job) else {
            return try JSONBody.response(JSONValue.object(["result": JobView(job).result ?? .null]))
        }
        var headers: HTTPFields = [.contentType: stored.contentType]
        if let length = stored.headerLength { headers[.inferenceHeaderContentLength] = String(length) }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try Data(contentsOf: stored.file))))
    }

    /// Server-Sent Events: the current state first, then every change; ends after the terminal event.
    @Sendable func events(_ request: Request, context: KilnRequestContext) async throws -> Response {
        let visible = try await visibleJob(context)
        return Response(
            status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: ResponseBody { [self] writer in
                try await streamEvents(of: visible.id) { type, text in
                    try await writer.write(ByteBuffer(string: "event: \(type.rawValue)\ndata: \(text)\n\n"))
                }
                try await writer.finish(nil)
            })
    }

    /// Sends the job's current state, then every change, as JSON texts; returns after the terminal event.
    func streamEvents(of jobID: String, send: (JobEvent.Kind, String) async throws -> Void) async throws {
        let stream = jobs.events.subscribe(jobID: jobID)
        // Read the state after subscribing, so that no change falls between the two.
        guard let current = try await jobs.find(id: jobID) else { throw KilnError.notFound("no job \(jobID)") }
        let encoder = JSONEncoder()
        let snapshot = JobEvent.snapshot(current)
        try await send(snapshot.type, String(decoding: try encoder.encode(snapshot), as: UTF8.self))
        guard !snapshot.isTerminal else { return }
        for await event in stream {
            try await send(event.type, String(decoding: try encoder.encode(event), as: UTF8.self))
            if event.isTerminal { return }
        }
    }

    private func visibleJob(_ context: KilnRequestContext) async throws -> JobRecord {
        let id = try context.parameters.require("id")
        guard let job = try await jobs.find(id: id, visibleTo: try context.principal()) else {
            throw KilnError.notFound("no job \(id.prefix(80))")
        }
        return job
    }

    static func idempotencyKey(_ request: Request) throws -> String? {
        guard let key = request.headers[.idempotencyKey] else { return nil }
        guard !key.isEmpty, key.utf8.count <= 200 else {
            throw KilnError.invalidArgument("Idempotency-Key must be 1 to 200 characters")
        }
        return key
    }

    static func decodeCursor(_ text: String) throws -> (Date, String) {
        let parts = text.split(separator: "_", maxSplits: 1)
        guard parts.count == 2, let seconds = Double(parts[0]) else {
            throw KilnError.invalidArgument("cursor is not one this server returned")
        }
        return (Date(timeIntervalSince1970: seconds), String(parts[1]))
    }
}

