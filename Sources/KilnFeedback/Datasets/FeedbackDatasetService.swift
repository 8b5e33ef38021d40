import Foundation
import KilnCore
import KilnStore
import SQLKit

/// `POST /v1/datasets/from-feedback`: the reviewed cases (optionally of one model or task) become
/// the next version of a named, labelled dataset. The label of a case is its latest review's
/// (the prediction when confirmed, the reviewer's when corrected). The case list is a JSON
/// manifest stored as a blob; the manifest and every case's input blob are referenced by the
/// dataset, so they outlive the predictions' own retention.
public struct FeedbackDatasetService: Sendable {
    static let referenceKind = "dataset"
    static let maxCases = 100_000

    let predictions: PredictionRepository
    let db: any SQLDatabase
    let blobs: BlobStore
    let references: any BlobReferenceRepository

    public init(predictions: PredictionRepository, db: any SQLDatabase, blobs: BlobStore, references: any BlobReferenceRepository) {
        self.predictions = predictions
        self.db = db
        self.blobs = blobs
        self.references = references
    }

    private struct Row: Codable {
        var name: String
        var version: Int
        var model: String?
        var task: String?
        var cases: Int
        var labels: String
        var manifest_sha256: String
        var created_by: String
        var created_at: Double
    }

    public func export(name: String, model: String?, task: String?, actor: String) async throws -> JSONValue {
        guard name.range(of: #"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"#, options: .regularExpression) != nil else {
            throw KilnError.invalidArgument("name must be 1–100 letters, digits, '.', '_' or '-', starting with a letter or digit")
        }
        let reviews = try await predictions.reviews(model: model, decision: nil, limit: Self.maxCases + 1)
        let latest = PredictionRepository.latestVerdicts(reviews.filter { task == nil || $0.1.task == task })
        guard !latest.isEmpty else {
            throw KilnError.invalidArgument("no reviewed predictions match (model: \(model ?? "any"), task: \(task ?? "any"))")
        }
        guard reviews.count <= Self.maxCases else { throw KilnError.invalidArgument("more than \(Self.maxCases) reviews match; narrow by model or task") }
        let latestVersion = try await db.select().column("version").from("feedback_datasets").where("name", .equal, name)
            .orderBy("version", .descending).limit(1).first()?.decode(column: "version", as: Int.self)
        let version = (latestVersion ?? 0) + 1
        var labels: [String: Int] = [:]
        let cases: [JSONValue] = latest.map { review, prediction in
            labels[review.label, default: 0] += 1
            return .object([
                "prediction_id": .string(prediction.predictionID), "task": .string(prediction.task),
                "model": .string(prediction.model), "model_version": .int(prediction.version),
                "input_sha256": prediction.inputSHA256.map(JSONValue.string) ?? .null, "input_kind": .string(prediction.inputKind),
                "label": .string(review.label), "predicted_label": .string(prediction.predictedLabel),
                "decision": .string(review.decision.rawValue), "reviewer": .string(review.reviewer),
                "reviewed_at": .string(ISO8601DateFormatter().string(from: review.createdAt)),
                "notes": review.notes.map(JSONValue.string) ?? .null,
                "mask_sha256": review.maskSHA256.map(JSONValue.string) ?? .null,
            ])
        }
        let createdAt = Date()
        let labelsJSON: JSONValue = .object(labels.mapValues { .int($0) })
        let summary: [String: JSONValue] = [
            "name": .string(name), "version": .int(version),
            "filter": .object(["model": model.map(JSONValue.string) ?? .null, "task": task.map(JSONValue.string) ?? .null]),
            "cases": .int(cases.count), "labels": labelsJSON,
            "created_by": .string(actor), "created_at": .string(ISO8601DateFormatter().string(from: createdAt)),
        ]
        let manifest = try await blobs.write(bytes: JSONValue.object(summary.merging(["items": .array(cases)]) { $1 }).jsonBytes)
        do {
            try await db.insert(into: "feedback_datasets").model(Row(
                name: name, version: version, model: model, task: task, cases: cases.count,
                labels: String(decoding: labelsJSON.jsonBytes, as: UTF8.self), manifest_sha256: manifest.sha256,
                created_by: actor, created_at: createdAt.timeIntervalSince1970)).run()
        } catch {
            throw KilnError.conflict("dataset \(name) version \(version) was created by a concurrent export; retry")
        }
        // References only once the version is ours: a lost race must not tie our blobs to the
        // winner's dataset.
        let id = "\(name)@\(version)"
        for sha in Set([manifest.sha256] + latest.compactMap(\.1.inputSHA256) + latest.compactMap(\.0.maskSHA256)) {
            try await references.add(sha256: sha, kind: Self.referenceKind, id: id)
        }
        return .object(summary.merging([
            "manifest_sha256": .string(manifest.sha256),
            "manifest_url": .string("/v1/datasets/\(name)/versions/\(version)"),
        ]) { $1 })
    }

    /// The manifest of one dataset version.
    public func manifest(name: String, version: Int) async throws -> Data {
        guard let row = try await db.select().columns("*").from("feedback_datasets").where("name", .equal, name)
            .where("version", .equal, version).first(decoding: Row.self) else {
            throw KilnError.notFound("no dataset \(name.prefix(100)) version \(version)")
        }
        guard let url = blobs.fileURL(sha256: row.manifest_sha256) else { throw KilnError(.internal, "the manifest of \(name) v\(version) is missing") }
        return try Data(contentsOf: url)
    }
}
