import Foundation
import Hummingbird
import KilnCore
import KilnHTTPKit
import KilnJobs
import KilnRetraining

/// `/v1/retraining` (the closed learning loop: reviews → candidate → promoted only if better)
/// and `/v1/schedules` (cron and "after N reviews" triggers for retraining or any job kind).
/// Starting a retraining or managing schedules moves `production`, so it is admin-only;
/// reviewers may follow retrainings.
struct RetrainingController {
    let retraining: RetrainingService
    let scheduler: JobScheduler
    let json: JSONBody

    func addRoutes(to v1: RouterGroup<KilnRequestContext>, adminOnly: RequireRoleMiddleware, reviewers: RequireRoleMiddleware) {
        let followers = v1.group("retraining").add(middleware: reviewers)
        followers.get(use: history)
        followers.get(":id", use: status)
        v1.group("retraining").add(middleware: adminOnly).post(use: start)
        let schedules = v1.group("schedules").add(middleware: adminOnly)
        schedules.post(use: createSchedule)
        schedules.get(use: listSchedules)
        schedules.get(":id", use: schedule)
        schedules.post(":id/pause", use: pause)
        schedules.post(":id/resume", use: resume)
        schedules.delete(":id", use: deleteSchedule)
    }

    @Sendable func start(_ request: Request, context: KilnRequestContext) async throws -> Response {
        let body = try await json.decode(RetrainingService.Request.self, from: request, context: context)
        let job = try await retraining.submit(body, actor: try context.principal().actor,
                                              idempotencyKey: try JobsController.idempotencyKey(request))
        return JSONBody.response(json: try await retraining.find(id: job.id), status: .accepted,
                                 headers: [.location: "/v1/retraining/\(job.id)"])
    }

    @Sendable func history(_ request: Request, context: KilnRequestContext) async throws -> Response {
        let query = request.formQuery
        guard let limit = Int(query["limit"] ?? "50") else { throw KilnError.invalidArgument("limit must be an integer") }
        return JSONBody.response(json: try await retraining.history(model: query["model"], limit: limit))
    }

    @Sendable func status(_ request: Request, context: KilnRequestContext) async throws -> Response {
        JSONBody.response(json: try await retraining.find(id: try context.parameters.require("id")))
    }

    /// `{"name", "kind", "parameters": {…}, "trigger": {"cron": "daily@03:00"} | {"reviews": 5, "model": "m"}}`.
    struct ScheduleRequest: Decodable {
        struct Trigger: Decodable {
            var cron: String?
            var reviews: Int?
            var model: String?
        }
        var name: String
        var kind: String
        var parameters: JSONValue?
        var trigger: Trigger
    }

    @Sendable func createSchedule(_ request: Request, context: KilnRequestContext) async throws -> Response {
        let body = try await json.decode(ScheduleRequest.self, from: request, context: context)
        let trigger: JobSchedule.Trigger
        switch (body.trigger.cron, body.trigger.reviews) {
        case (let cron?, nil): trigger = .cron(cron)
        case (nil, let count?):
            let model: String? = body.trigger.model ?? {
                if case .object(let object)? = body.parameters, case .string(let model)? = object["model"] { return model }
                return nil
            }()
            guard let model else { throw KilnError.invalidArgument("a reviews trigger needs the model whose reviews it counts (trigger.model)") }
            trigger = .count(counter: "reviews", subject: model, every: count)
        default:
            throw KilnError.invalidArgument("trigger must hold exactly one of 'cron' (e.g. \"daily@03:00\", \"0 3 * * 1\") or 'reviews' (a count)")
        }
        let parameters = String(decoding: (body.parameters ?? .object([:])).jsonBytes, as: UTF8.self)
        let created = try await scheduler.create(name: body.name, kind: body.kind, parameters: parameters, trigger: trigger,
                                                 owner: try context.principal().actor)
        return JSONBody.response(json: Self.json(created), status: .created, headers: [.location: "/v1/schedules/\(created.id)"])
    }

    @Sendable func listSchedules(_ request: Request, context: KilnRequestContext) async throws -> Response {
        JSONBody.response(json: .object(["schedules": .array(try await scheduler.list().map(Self.json))]))
    }

    @Sendable func schedule(_ request: Request, context: KilnRequestContext) async throws -> Response {
        JSONBody.response(json: Self.json(try await scheduler.find(id: try context.parameters.require("id"))))
    }

    @Sendable func pause(_ request: Request, context: KilnRequestContext) async throws -> Response {
        JSONBody.response(json: Self.json(try await scheduler.setPaused(id: try context.parameters.require("id"), true)))
    }

    @Sendable func resume(_ request: Request, context: KilnRequestContext) async throws -> Response {
        JSONBody.response(json: Self.json(try await scheduler.setPaused(id: try context.parameters.require("id"), false)))
    }

    @Sendable func deleteSchedule(_ request: Request, context: KilnRequestContext) async throws -> Response {
        try await scheduler.delete(id: try context.parameters.require("id"))
        return Response(status: .noContent)
    }

    static func json(_ schedule: JobSchedule) -> JSONValue {
        let iso = ISO8601DateFormatter()
        let trigger: JSONValue
        switch schedule.trigger {
        case .cron(let expression): trigger = .object(["cron": .string(expression)])
        case .count(_, let subject, let every): trigger = .object(["reviews": .int(every), "model": .string(subject)])
        }
        return .object([
            "id": .string(schedule.id), "name": .string(schedule.name), "kind": .string(schedule.kind),
            "parameters": (try? JSONReader.value(Array(schedule.parameters.utf8))) ?? .null, "trigger": trigger,
            "paused": .bool(schedule.paused), "owner": .string(schedule.owner),
            "created_at": .string(iso.string(from: schedule.createdAt)),
            "next_fire_at": schedule.nextFireAt.map { .string(iso.string(from: $0)) } ?? .null,
            "reviews_at_last_firing": schedule.counterBase.map(JSONValue.int) ?? .null,
            "fired": .int(schedule.fired),
            "last_fired_at": schedule.lastFiredAt.map { .string(iso.string(from: $0)) } ?? .null,
            "last_job_id": schedule.lastJobID.map(JSONValue.string) ?? .null,
        ])
    }
}
