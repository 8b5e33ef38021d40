import Foundation
import KilnCore

/// Reviews of any app's stored predictions: confirmed, corrected (label or mask) or annotated;
/// the verdicts are listed as labelled feedback for retraining.
public struct ReviewService: Sendable {
    public static let maxNotes = 4000
    let predictions: PredictionRepository

    public init(predictions: PredictionRepository) {
        self.predictions = predictions
    }

    /// The prediction a review would be about (apps check a mask upload against it first).
    public func prediction(id: String) async throws -> PredictionRecord {
        guard let prediction = try await predictions.prediction(id: id) else {
            throw KilnError.notFound("no prediction '\(id.prefix(64))'")
        }
        return prediction
    }

    /// A review as a client sends it (the JSON body of every review route).
    public struct Request: Decodable, Sendable {
        public var decision: String
        public var label: String?
        public var notes: String?
    }

    public func review(predictionID: String, _ request: Request, reviewer: String) async throws -> JSONValue {
        try await review(predictionID: predictionID, decision: request.decision, label: request.label, notes: request.notes, reviewer: reviewer)
    }

    /// - Parameter storeMask: stores the corrected mask of a `correct_mask` review (its app checked
    ///   it) and returns its SHA-256; called only once the review is otherwise valid, so that a
    ///   refused review stores nothing.
    public func review(
        predictionID: String, decision text: String, label: String?, notes: String?,
        storeMask: (@Sendable () async throws -> String)? = nil, reviewer: String
    ) async throws -> JSONValue {
        guard let decision = ReviewRecord.Decision(rawValue: text) else {
            throw KilnError.invalidArgument("decision must be one of \(ReviewRecord.Decision.names); got '\(text.prefix(32))'")
        }
        let prediction = try await prediction(id: predictionID)
        guard (decision == .correctMask) == (storeMask != nil) else {
            throw KilnError.invalidArgument(decision == .correctMask
                ? "a mask correction needs the corrected mask uploaded with it"
                : "only decision 'correct_mask' takes a mask")
        }
        if let notes, notes.count > Self.maxNotes { throw KilnError.invalidArgument("notes are limited to \(Self.maxNotes) characters") }
        let known = Self.labels(of: prediction)
        let chosen: String
        switch decision {
        case .confirm:
            if let label, label != prediction.predictedLabel {
                throw KilnError.invalidArgument("a confirmation keeps the predicted label '\(prediction.predictedLabel)'; use decision 'correct' to change it")
            }
            chosen = prediction.predictedLabel
        case .correct:
            guard let label, !label.isEmpty else { throw KilnError.invalidArgument("a correction needs the right 'label'") }
            if !known.isEmpty, !known.contains(label) {
                throw KilnError(.invalidArgument, "label '\(label.prefix(64))' is not one of the model's labels", details: ["labels": .array(known.map(JSONValue.string))])
            }
            chosen = label
        case .correctMask, .note:
            if let label, label != prediction.predictedLabel {
                throw KilnError.invalidArgument("decision '\(decision.rawValue)' keeps the predicted label; use decision 'correct' to change it")
            }
            if decision == .note, (notes ?? "").isEmpty { throw KilnError.invalidArgument("a note needs 'notes'") }
            chosen = prediction.predictedLabel
        }
        let maskSHA256 = try await storeMask?()
        let review = ReviewRecord(reviewID: UUID().uuidString.lowercased(), predictionID: predictionID, decision: decision, label: chosen,
                                  notes: notes, maskSHA256: maskSHA256, reviewer: reviewer, createdAt: Date())
        try await predictions.insert(review)
        return Self.json(review, prediction)
    }

    public func feedback(model: String?, decision: String?, limit: Int) async throws -> JSONValue {
        let parsed = try decision.map { text -> ReviewRecord.Decision in
            guard let value = ReviewRecord.Decision(rawValue: text) else {
                throw KilnError.invalidArgument("decision must be one of \(ReviewRecord.Decision.names)")
            }
            return value
        }
        guard (1...1000).contains(limit) else { throw KilnError.invalidArgument("limit must be between 1 and 1000") }
        let rows = try await predictions.reviews(model: model, decision: parsed, limit: limit)
        return .object(["reviews": .array(rows.map { Self.json($0.0, $0.1) })])
    }

    /// The class names a prediction chose from (the keys of its `probabilities`).
    static func labels(of prediction: PredictionRecord) -> [String] {
        guard case .object(let output) = prediction.output, case .object(let probabilities)? = output["probabilities"] else { return [] }
        return probabilities.keys.sorted()
    }

    /// What an app archived as the prediction's explanation (`output.explanation`: SHAP values,
    /// LIME weights, a heatmap's reference), so the reviewer sees what the model saw.
    static func explanation(of prediction: PredictionRecord) -> JSONValue {
        guard case .object(let output) = prediction.output else { return .null }
        return output["explanation"] ?? .null
    }

    static func json(_ review: ReviewRecord, _ prediction: PredictionRecord) -> JSONValue {
        .object([
            "review_id": .string(review.reviewID),
            "prediction_id": .string(review.predictionID),
            "task": .string(prediction.task),
            "model": .object(["name": .string(prediction.model), "version": .int(prediction.version)]),
            "predicted_label": .string(prediction.predictedLabel),
            "decision": .string(review.decision.rawValue),
            "label": .string(review.label),
            "notes": review.notes.map(JSONValue.string) ?? .null,
            "mask_sha256": review.maskSHA256.map(JSONValue.string) ?? .null,
            "reviewer": .string(review.reviewer),
            "input_sha256": prediction.inputSHA256.map(JSONValue.string) ?? .null,
            "explanation": explanation(of: prediction),
            "reviewed_at": .string(ISO8601DateFormatter().string(from: review.createdAt)),
        ])
    }
}
