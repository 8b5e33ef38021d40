import Foundation
import Hummingbird
import ImagingApp
import KilnCore

/// The medical imaging app's routes at the seed's paths (`/predict/...`) and its feedback list.
/// Any authenticated caller may predict; reviews need the `clinician` or `admin` role.
struct ImagingController {
    let biomarkers: BiomarkerService
    let ct: CTClassificationService
    let reviews: ReviewService
    let json: JSONBody
    let limits: Limits
    let staging: URL

    func addRoutes(predict: RouterGroup<KilnRequestContext>, v1: RouterGroup<KilnRequestContext>) {
        predict.post("biomarker_prediction", use: biomarkerPrediction)
        predict.post("ct_classification", use: ctClassification)
        let clinicians = RequireRoleMiddleware(.clinician, .admin)
        predict.group(":prediction_id").add(middleware: clinicians).post("review", use: review)
        v1.group("feedback").add(middleware: clinicians).get(use: feedback)
    }

    struct BiomarkerRequest: Decodable {
        var features: [String: Double]
        var model: String?
    }

    @Sendable func biomarkerPrediction(_ request: Request, context: KilnRequestContext) async throws -> Response {
        let body = try await json.decode(BiomarkerRequest.self, from: request, context: context)
        return JSONBody.response(json: try await biomarkers.predict(features: body.features, model: body.model))
    }

    @Sendable func ctClassification(_ request: Request, context: KilnRequestContext) async throws -> Response {
        let folder = staging.appendingPathComponent("ct-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let received = try await MultipartUpload.receive(
            request, into: folder,
            fileNames: { field, _ in
                guard field == "file" else { throw KilnError.invalidArgument("unexpected file field '\(field.prefix(64))'; send the image as 'file'") }
                return "upload"
            },
            maxBytes: limits.maxUploadBytes, maxFieldBytes: limits.maxJSONBodyBytes, syncFiles: false)
        guard let file = received.files["file"] else { throw KilnError.invalidArgument("missing the 'file' part (a DICOM file, PNG or JPEG)") }
        var options = CTClassificationService.Options()
        options.window = received.fields["window"].flatMap { $0.isEmpty ? nil : $0 }
        options.model = received.fields["model"].flatMap { $0.isEmpty ? nil : $0 }
        if let text = received.fields["return_heatmap"] {
            switch text.lowercased() {
            case "true", "1", "yes": options.returnHeatmap = true
            case "false", "0", "no": options.returnHeatmap = false
            default: throw KilnError.invalidArgument("return_heatmap must be true or false")
            }
        }
        if let text = received.fields["frame"] {
            guard let frame = Int(text), frame >= 0 else { throw KilnError.invalidArgument("frame must be a non-negative integer") }
            options.frame = frame
        }
        let bytes = try Data(contentsOf: file.path, options: .mappedIfSafe)
        let answer = try await ct.classify(bytes, options: options, actor: try context.principal().actor)
        return JSONBody.response(json: answer)
    }

    struct ReviewRequest: Decodable {
        var decision: String
        var label: String?
        var notes: String?
    }

    @Sendable func review(_ request: Request, context: KilnRequestContext) async throws -> Response {
        let body = try await json.decode(ReviewRequest.self, from: request, context: context)
        let answer = try await reviews.review(predictionID: try context.parameters.require("prediction_id"), decision: body.decision,
                                              label: body.label, notes: body.notes, reviewer: try context.principal().actor)
        return JSONBody.response(json: answer, status: .created)
    }

    @Sendable func feedback(_ request: Request, context: KilnRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let limitText = query["limit"].map(String.init) ?? "100"
        guard let limit = Int(limitText) else { throw KilnError.invalidArgument("limit must be an integer") }
        let answer = try await reviews.feedback(model: query["model"].map(String.init), decision: query["decision"].map(String.init), limit: limit)
        return JSONBody.response(json: answer)
    }
}
