import Foundation
import KilnCore

/// Clinician reviews: a stored prediction is confirmed or corrected, and the verdicts are listed
/// as labelled feedback for retraining.
public struct ReviewService: Sendable {
    public static let maxNotes = 4000
    let predictions: PredictionRepository

    public init(predictions: PredictionRepository) {
        self.predictions = predictions
    }

    public func review(predictionID: String, decision text: String, label: String?, notes: String?, reviewer: String) async throws -> JSONValue {
        guard let decision = ReviewRecord.Decision(rawValue: text) else {
            throw KilnError.invalidArgument("decision must be 'confirm' or 'correct'; got '\(text.prefix(32))'")
        }
        guard let prediction = try await predictions.prediction(id: predictionID) else {
            throw KilnError.notFound("no prediction '\(predictionID.prefix(64))'")
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
        }
        let review = ReviewRecord(reviewID: UUID().uuidString.lowercased(), predictionID: predictionID, decision: decision, label: chosen,
                                  notes: notes, reviewer: reviewer, createdAt: Date())
        try await predictions.insert(review)
        return Self.json(review, prediction)
    }

    public func feedback(model: String?, decision: String?, limit: Int) async throws -> JSONValue {
        let parsed = try decision.map { text -> ReviewRecord.Decision in
            guard let value = ReviewRecord.Decision(rawValue: text) else { throw KilnError.invalidArgument("decision must be 'confirm' or 'correct'") }
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
            "reviewer": .string(review.reviewer),
            "input_sha256": prediction.inputSHA256.map(JSONValue.string) ?? .null,
            "reviewed_at": .string(ISO8601DateFormatter().string(from: review.createdAt)),
        ])
    }
}
