import Foundation
import Hummingbird
import KilnCore
import KilnFeedback
import KilnHTTPKit

/// The platform's feedback surface: `GET /v1/feedback` (reviews with their predictions) and
/// labelled datasets made from them (`/v1/datasets`). Any app's predictions and reviews show
/// here; only reviewing roles (admin, reviewer, and the roles apps mark as reviewers) may call.
struct FeedbackController {
    let reviews: ReviewService
    let datasets: FeedbackDatasetService
    let statistics: FeedbackStatistics
    let labelStudio: LabelStudioExchange
    let json: JSONBody

    func addRoutes(to v1: RouterGroup<KilnRequestContext>, reviewers: RequireRoleMiddleware) {
        let feedbackRoutes = v1.group("feedback").add(middleware: reviewers)
        feedbackRoutes.get(use: feedback)
        feedbackRoutes.post(":prediction_id", use: review)
        feedbackRoutes.get("label-studio/tasks", use: labelStudioTasks)
        feedbackRoutes.get("label-studio/config", use: labelStudioConfig)
        feedbackRoutes.post("label-studio/import", use: labelStudioImport)
        v1.group("models").add(middleware: reviewers).get(":model/feedback-stats", use: feedbackStats)
        let datasetRoutes = v1.group("datasets").add(middleware: reviewers)
        datasetRoutes.post("from-feedback", use: datasetFromFeedback)
        datasetRoutes.get(":name/versions/:version", use: datasetManifest)
    }

    struct DatasetRequest: Decodable {
        var name: String
        var model: String?
        var task: String?
    }

    @Sendable func datasetFromFeedback(_ request: Request, context: KilnRequestContext) async throws -> Response {
        let body = try await json.decode(DatasetRequest.self, from: request, context: context)
        let answer = try await datasets.export(name: body.name, model: body.model, task: body.task, actor: try context.principal().actor)
        return JSONBody.response(json: answer, status: .created)
    }

    @Sendable func datasetManifest(_ request: Request, context: KilnRequestContext) async throws -> Response {
        let versionText = try context.parameters.require("version")
        guard let version = Int(versionText), version > 0 else { throw KilnError.invalidArgument("version must be a positive integer") }
        let bytes = try await datasets.manifest(name: try context.parameters.require("name"), version: version)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    @Sendable func feedback(_ request: Request, context: KilnRequestContext) async throws -> Response {
        let query = request.formQuery
        let limitText = query["limit"] ?? "100"
        guard let limit = Int(limitText) else { throw KilnError.invalidArgument("limit must be an integer") }
        let answer = try await reviews.feedback(model: query["model"], decision: query["decision"], limit: limit)
        return JSONBody.response(json: answer)
    }

    /// A review of any app's stored prediction (confirm, correct, note); apps that take a
    /// corrected mask offer that upload at their own review route.
    @Sendable func review(_ request: Request, context: KilnRequestContext) async throws -> Response {
        let body = try await json.decode(ReviewService.Request.self, from: request, context: context)
        let answer = try await reviews.review(predictionID: try context.parameters.require("prediction_id"), body,
                                              reviewer: try context.principal().actor)
        return JSONBody.response(json: answer, status: .created)
    }

    @Sendable func feedbackStats(_ request: Request, context: KilnRequestContext) async throws -> Response {
        let text = request.formQuery["bucket"] ?? "day"
        guard let bucket = FeedbackStatistics.Bucket(rawValue: text) else { throw KilnError.invalidArgument("bucket must be day or week") }
        return JSONBody.response(json: try await statistics.stats(model: try context.parameters.require("model"), bucket: bucket))
    }

    /// The model's predictions as a Label Studio task import (`?unreviewed=true`: only those without a review).
    @Sendable func labelStudioTasks(_ request: Request, context: KilnRequestContext) async throws -> Response {
        let query = request.formQuery
        guard let model = query["model"] else { throw KilnError.invalidArgument("give the model: ?model=NAME") }
        guard let limit = Int(query["limit"] ?? "500") else { throw KilnError.invalidArgument("limit must be an integer") }
        let unreviewed = query["unreviewed"]
        guard unreviewed == nil || unreviewed == "true" || unreviewed == "false" else { throw KilnError.invalidArgument("unreviewed must be true or false") }
        return JSONBody.response(json: try await labelStudio.tasks(model: model, limit: limit, unreviewedOnly: unreviewed == "true"))
    }

    @Sendable func labelStudioConfig(_ request: Request, context: KilnRequestContext) async throws -> Response {
        guard let model = request.formQuery["model"] else { throw KilnError.invalidArgument("give the model: ?model=NAME") }
        let xml = try await labelStudio.labelingConfig(model: model)
        return Response(status: .ok, headers: [.contentType: "application/xml; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: xml)))
    }

    /// Label Studio's JSON export (`GET /api/projects/{id}/export?exportType=JSON`) as reviews.
    @Sendable func labelStudioImport(_ request: Request, context: KilnRequestContext) async throws -> Response {
        let export = try await json.decode(JSONValue.self, from: request, context: context)
        return JSONBody.response(json: try await labelStudio.importAnnotations(export, actor: try context.principal().actor))
    }
}
