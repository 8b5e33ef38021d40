import Foundation
import KilnCore
import KilnJobs
import KilnServing

/// `POST /v1/retraining`, `GET /v1/retraining[/{id}]` and `kiln retrain`: checks a request and
/// queues a `retraining` job; lists retrainings with their decisions.
public struct RetrainingService: Sendable {
    let jobs: JobService
    let registry: ModelRegistry
    /// Models with a registered trainer.
    public let models: Set<String>

    public init(jobs: JobService, registry: ModelRegistry, trainers: [any ModelRetrainer]) {
        self.jobs = jobs
        self.registry = registry
        self.models = Set(trainers.map(\.model))
    }

    /// A retraining as a client asks for it; everything but `model` has a default.
    public struct Request: Decodable, Sendable {
        public var model: String
        public var alias: String?
        public var dataset: RetrainingJobHandler.DatasetReference?
        public var options: RetrainingOptions?
        public var policy: PromotionPolicy?
        public var evaluationFraction: Double?
        public var promote: Bool?

        public init(model: String) { self.model = model }
    }

    /// Checks the request and queues the job. An idempotency key returns the first job again.
    /// - Parameter requestedBy: who asked, when not the job's owner (`schedule:<id>`).
    public func submit(_ request: Request, actor: String, requestedBy: String? = nil, idempotencyKey: String? = nil) async throws -> JobRecord {
        var resolved = try check(request)
        resolved.requestedBy = requestedBy ?? actor
        return try await jobs.submit(kind: RetrainingJobHandler.kind, parameters: try JobCoding.encode(resolved), owner: actor,
                                     idempotencyKey: idempotencyKey).job
    }

    /// The job parameters a request stands for (its `requestedBy` is filled in by `submit`).
    func check(_ request: Request) throws -> RetrainingJobHandler.Parameters {
        guard models.contains(request.model) else {
            throw KilnError(.notFound, "no trainer is registered for model '\(request.model.prefix(128))'",
                            details: ["retrainable_models": .array(models.sorted().map(JSONValue.string))])
        }
        guard !registry.manager.repositoryVersions(of: request.model).isEmpty else {
            throw KilnError.notFound("model '\(request.model.prefix(128))' has no version in the repository to retrain from")
        }
        let alias = request.alias ?? "production"
        guard ModelAlias.isValidName(alias) else { throw KilnError.invalidArgument("alias must start with a letter and hold letters, digits, '-' or '_'") }
        let fraction = request.evaluationFraction ?? 0.3
        guard fraction > 0, fraction < 1 else { throw KilnError.invalidArgument("evaluation_fraction must be between 0 and 1 (exclusive)") }
        let options = request.options ?? RetrainingOptions()
        try options.validate()
        let policy = request.policy ?? PromotionPolicy()
        try policy.validate()
        if let dataset = request.dataset, dataset.version < 1 { throw KilnError.invalidArgument("dataset.version must be positive") }
        return RetrainingJobHandler.Parameters(
            model: request.model, alias: alias, dataset: request.dataset, options: options, policy: policy,
            evaluationFraction: fraction, promote: request.promote ?? true, requestedBy: "")
    }

    /// How schedules submit retrainings: their parameters are a retraining request.
    public var scheduleTarget: JobScheduler.Target {
        JobScheduler.Target(
            validate: { parameters in _ = try await self.check(Self.request(parameters)) },
            submit: { schedule, key in
                try await self.submit(Self.request(schedule.parameters), actor: schedule.owner, requestedBy: "schedule:\(schedule.id)", idempotencyKey: key)
            })
    }

    static func request(_ parameters: String) throws -> Request {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(Request.self, from: Data(parameters.utf8))
        } catch {
            throw KilnError.invalidArgument("retraining parameters need at least {\"model\": NAME}: \(error)")
        }
    }

    public func find(id: String) async throws -> JSONValue {
        guard let job = try await jobs.find(id: id), job.kind == RetrainingJobHandler.kind else {
            throw KilnError.notFound("no retraining '\(id.prefix(64))'")
        }
        return Self.json(job)
    }

    /// Newest first, optionally of one model.
    public func history(model: String?, limit: Int) async throws -> JSONValue {
        guard (1...500).contains(limit) else { throw KilnError.invalidArgument("limit must be between 1 and 500") }
        var found: [JSONValue] = []
        var before: (Date, String)?
        // Jobs are listed by kind; the model is in the parameters, so pages are filtered here.
        while found.count < limit {
            let page = try await jobs.list(owner: nil, state: nil, kind: RetrainingJobHandler.kind, limit: 200, before: before)
            for job in page where model == nil || Self.parameters(job)?.model == model {
                found.append(Self.json(job))
                if found.count == limit { break }
            }
            guard page.count == 200, let last = page.last else { break }
            before = (last.createdAt, last.id)
        }
        return .object(["retrainings": .array(found)])
    }

    static func parameters(_ job: JobRecord) -> RetrainingJobHandler.Parameters? {
        try? JobCoding.decode(RetrainingJobHandler.Parameters.self, from: job.parameters)
    }

    static func json(_ job: JobRecord) -> JSONValue {
        let parameters = parameters(job)
        let iso = ISO8601DateFormatter()
        var object: [String: JSONValue] = ["id": .string(job.id), "state": .string(job.state.rawValue), "progress": .number(job.progress)]
        object["model"] = parameters.map { JSONValue.string($0.model) } ?? .null
        object["alias"] = parameters.map { JSONValue.string($0.alias) } ?? .null
        object["requested_by"] = parameters.map { JSONValue.string($0.requestedBy) } ?? .null
        object["message"] = job.progressMessage.map(JSONValue.string) ?? .null
        object["created_at"] = .string(iso.string(from: job.createdAt))
        object["finished_at"] = job.finishedAt.map { JSONValue.string(iso.string(from: $0)) } ?? .null
        var result = JSONValue.null
        if let text = job.result, let parsed = try? JSONReader.value(Array(text.utf8)) { result = parsed }
        object["result"] = result
        var error = JSONValue.null
        if let code = job.errorCode { error = .object(["code": .string(code), "message": .string(job.errorMessage ?? "")]) }
        object["error"] = error
        object["job_url"] = .string("/v1/jobs/\(job.id)")
        return .object(object)
    }
}

extension PromotionPolicy {
    enum CodingKeys: String, CodingKey {
        case minImprovement, maxRegression, requireSignificant, minEvaluationCases
    }

    /// Missing fields keep their defaults.
    public init(from decoder: any Decoder) throws {
        self.init()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        minImprovement = try container.decodeIfPresent(Double.self, forKey: .minImprovement) ?? minImprovement
        maxRegression = try container.decodeIfPresent(Double.self, forKey: .maxRegression) ?? maxRegression
        requireSignificant = try container.decodeIfPresent(Bool.self, forKey: .requireSignificant) ?? requireSignificant
        minEvaluationCases = try container.decodeIfPresent(Int.self, forKey: .minEvaluationCases) ?? minEvaluationCases
    }
}
