import Foundation
import KilnCore
import SQLKit

/// One answer an app gave about a case, as stored in `predictions`.
public struct PredictionRecord: Sendable {
    public var predictionID: String
    /// `ct_classification`, `biomarker_prediction`, …
    public var task: String
    public var model: String
    public var version: Int
    /// The stored (de-identified) input, when the input was a file.
    public var inputSHA256: String?
    /// `dicom`, `png`, `jpeg`, `json`.
    public var inputKind: String
    public var predictedLabel: String
    /// The answer as returned (without the heatmap image, which can be recomputed).
    public var output: JSONValue
    public var createdBy: String
    public var createdAt: Date
}

/// A reviewer's verdict on a prediction, as stored in `prediction_reviews`.
public struct ReviewRecord: Sendable {
    public enum Decision: String, Sendable, CaseIterable {
        /// The prediction is right.
        case confirm
        /// The label is wrong; `label` is the right one.
        case correct
        /// The segmentation is wrong; `maskSHA256` is the corrected mask (the label stays).
        case correctMask = "correct_mask"
        /// A remark only: no verdict, so datasets skip it.
        case note

        public static let names = allCases.map(\.rawValue).joined(separator: ", ")
    }

    public var reviewID: String
    public var predictionID: String
    public var decision: Decision
    /// The label the reviewer stands behind: the predicted one (confirm) or theirs (correct).
    public var label: String
    public var notes: String?
    /// The corrected mask of a `correct_mask` review.
    public var maskSHA256: String? = nil
    public var reviewer: String
    public var createdAt: Date
}

/// The `predictions` and `prediction_reviews` tables.
public struct PredictionRepository: Sendable {
    private let db: any SQLDatabase

    public init(db: any SQLDatabase) {
        self.db = db
    }

    private struct PredictionRow: Decodable {
        var prediction_id: String
        var task: String
        var model: String
        var version: Int
        var input_sha256: String?
        var input_kind: String
        var predicted_label: String
        var output: String
        var created_by: String
        var created_at: Double
    }

    /// A review as selected next to its prediction's columns (`reviewed_at` avoids the clash).
    private struct ReviewRow: Decodable {
        var review_id: String
        var prediction_id: String
        var decision: String
        var label: String
        var notes: String?
        var mask_sha256: String?
        var reviewer: String
        var reviewed_at: Double
    }

    public func insert(_ record: PredictionRecord) async throws {
        try await db.insert(into: "predictions")
            .columns("prediction_id", "task", "model", "version", "input_sha256", "input_kind", "predicted_label", "output", "created_by", "created_at")
            .values(SQLBind(record.predictionID), SQLBind(record.task), SQLBind(record.model), SQLBind(record.version),
                    SQLBind(record.inputSHA256), SQLBind(record.inputKind), SQLBind(record.predictedLabel),
                    SQLBind(String(decoding: record.output.jsonBytes, as: UTF8.self)), SQLBind(record.createdBy),
                    SQLBind(record.createdAt.timeIntervalSince1970))
            .run()
    }

    public func prediction(id: String) async throws -> PredictionRecord? {
        try await db.select().columns("*").from("predictions").where("prediction_id", .equal, id)
            .first(decoding: PredictionRow.self).map(Self.record)
    }

    public func insert(_ review: ReviewRecord) async throws {
        try await db.insert(into: "prediction_reviews")
            .columns("review_id", "prediction_id", "decision", "label", "notes", "mask_sha256", "reviewer", "created_at")
            .values(SQLBind(review.reviewID), SQLBind(review.predictionID), SQLBind(review.decision.rawValue), SQLBind(review.label),
                    SQLBind(review.notes), SQLBind(review.maskSHA256), SQLBind(review.reviewer), SQLBind(review.createdAt.timeIntervalSince1970))
            .run()
    }

    /// Reviews with their predictions, newest first; filtered by model name and decision.
    public func reviews(model: String?, decision: ReviewRecord.Decision?, limit: Int) async throws -> [(ReviewRecord, PredictionRecord)] {
        var query = db.select().column(SQLColumn(SQLLiteral.all, table: SQLIdentifier("predictions")))
            .columns("review_id", "decision", "label", "notes", "mask_sha256", "reviewer")
            .column(SQLColumn("created_at", table: "prediction_reviews"), as: "reviewed_at")
            .from("prediction_reviews")
            .join("predictions", on: SQLColumn("prediction_id", table: "prediction_reviews"), .equal, SQLColumn("prediction_id", table: "predictions"))
        if let model { query = query.where(SQLColumn("model", table: "predictions"), SQLBinaryOperator.equal, SQLBind(model)) }
        if let decision { query = query.where(SQLColumn("decision", table: "prediction_reviews"), SQLBinaryOperator.equal, SQLBind(decision.rawValue)) }
        let rows = try await query.orderBy(SQLColumn("created_at", table: "prediction_reviews"), SQLDirection.descending)
            .orderBy(SQLColumn("review_id", table: "prediction_reviews"), SQLDirection.descending).limit(limit).all()
        return try rows.map { row in
            let review = try row.decode(model: ReviewRow.self)
            let prediction = try row.decode(model: PredictionRow.self)
            return (Self.record(review), Self.record(prediction))
        }
    }

    /// One model's predictions, newest first; optionally only those nobody has reviewed.
    public func predictions(model: String, unreviewedOnly: Bool, limit: Int) async throws -> [PredictionRecord] {
        var query = db.select().columns("*").from("predictions").where("model", .equal, model)
        if unreviewedOnly {
            query = query.where(SQLRaw("NOT EXISTS (SELECT 1 FROM prediction_reviews WHERE prediction_reviews.prediction_id = predictions.prediction_id)"))
        }
        return try await query.orderBy("created_at", .descending).orderBy("prediction_id", .descending).limit(limit)
            .all(decoding: PredictionRow.self).map(Self.record)
    }

    /// The newest review of a prediction.
    public func latestReview(predictionID: String) async throws -> ReviewRecord? {
        try await db.select().columns("review_id", "prediction_id", "decision", "label", "notes", "mask_sha256", "reviewer")
            .column("created_at", as: "reviewed_at").from("prediction_reviews").where("prediction_id", .equal, predictionID)
            .orderBy("created_at", .descending).orderBy("review_id", .descending).limit(1)
            .first(decoding: ReviewRow.self).map(Self.record)
    }

    /// Each prediction's current verdict: from reviews listed newest first (as `reviews` lists
    /// them), the first that is not a note. Notes carry no verdict.
    public static func latestVerdicts(_ reviews: [(ReviewRecord, PredictionRecord)]) -> [(ReviewRecord, PredictionRecord)] {
        var seen = Set<String>()
        return reviews.filter { review, prediction in review.decision != .note && seen.insert(prediction.predictionID).inserted }
    }

    /// Reviews with a verdict (notes excluded) of one model's predictions: what a "after N new
    /// reviews" schedule counts.
    public func reviewCount(model: String) async throws -> Int {
        let row = try await db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "count")
            .from("prediction_reviews")
            .join("predictions", on: SQLColumn("prediction_id", table: "prediction_reviews"), .equal, SQLColumn("prediction_id", table: "predictions"))
            .where(SQLColumn("model", table: "predictions"), SQLBinaryOperator.equal, SQLBind(model))
            .where(SQLColumn("decision", table: "prediction_reviews"), SQLBinaryOperator.notEqual, SQLBind(ReviewRecord.Decision.note.rawValue))
            .first()
        return try row?.decode(column: "count", as: Int.self) ?? 0
    }

    private static func record(_ row: PredictionRow) -> PredictionRecord {
        PredictionRecord(
            predictionID: row.prediction_id, task: row.task, model: row.model, version: row.version, inputSHA256: row.input_sha256,
            inputKind: row.input_kind, predictedLabel: row.predicted_label,
            output: (try? JSONDecoder().decode(JSONValue.self, from: Data(row.output.utf8))) ?? .object([:]),
            createdBy: row.created_by, createdAt: Date(timeIntervalSince1970: row.created_at))
    }

    private static func record(_ row: ReviewRow) -> ReviewRecord {
        ReviewRecord(reviewID: row.review_id, predictionID: row.prediction_id, decision: ReviewRecord.Decision(rawValue: row.decision) ?? .confirm,
                     label: row.label, notes: row.notes, maskSHA256: row.mask_sha256, reviewer: row.reviewer, createdAt: Date(timeIntervalSince1970: row.reviewed_at))
    }
}
