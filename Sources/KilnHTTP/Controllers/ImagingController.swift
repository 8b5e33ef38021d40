import Foundation
import Hummingbird
import ImagingApp
import KilnCore

/// The medical imaging app's routes at the seed's paths (`/predict/...`). Any authenticated
/// caller may predict; errors are in Kiln's native shape.
struct ImagingController {
    let biomarkers: BiomarkerService
    let json: JSONBody

    func addRoutes(to predict: RouterGroup<KilnRequestContext>) {
        predict.post("biomarker_prediction", use: biomarkerPrediction)
    }

    struct BiomarkerRequest: Decodable {
        var features: [String: Double]
        var model: String?
    }

    @Sendable func biomarkerPrediction(_ request: Request, context: KilnRequestContext) async throws -> Response {
        let body = try await json.decode(BiomarkerRequest.self, from: request, context: context)
        return JSONBody.response(json: try await biomarkers.predict(features: body.features, model: body.model))
    }
}
