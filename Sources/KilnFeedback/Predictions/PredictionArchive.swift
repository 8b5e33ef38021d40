import Foundation
import KilnCore
import KilnServing
import KilnStore

/// Keeps an answer for review: the input goes to the blob store (referenced by the prediction, so
/// blob clean-up keeps it) and the answer to `predictions`, with the model version that gave it.
public struct PredictionArchive: Sendable {
    public static let blobReferenceKind = "prediction"
    let predictions: PredictionRepository
    let blobs: BlobStore
    let references: any BlobReferenceRepository

    public init(predictions: PredictionRepository, blobs: BlobStore, references: any BlobReferenceRepository) {
        self.predictions = predictions
        self.blobs = blobs
        self.references = references
    }

    public static func newPredictionID() -> String {
        UUID().uuidString.lowercased()
    }

    /// `output` is the answer as returned, minus what can be recomputed (heatmap images, timings).
    public func keep(
        id: String, task: String, model: LoadedVersion, input: [UInt8], inputKind: String,
        predictedLabel: String, output: JSONValue, actor: String
    ) async throws {
        let blob = try await blobs.write(bytes: input)
        try await keep(id: id, task: task, model: (model.name, model.version), inputSHA256: blob.sha256, inputKind: inputKind,
                       predictedLabel: predictedLabel, output: output, actor: actor)
    }

    /// For an input already in the blob store (a job's input volume).
    public func keep(
        id: String, task: String, model: (name: String, version: Int), inputSHA256: String, inputKind: String,
        predictedLabel: String, output: JSONValue, actor: String
    ) async throws {
        try await references.add(sha256: inputSHA256, kind: Self.blobReferenceKind, id: id)
        try await predictions.insert(PredictionRecord(
            predictionID: id, task: task, model: model.name, version: model.version, inputSHA256: inputSHA256,
            inputKind: inputKind, predictedLabel: predictedLabel, output: output, createdBy: actor, createdAt: Date()))
    }

    /// Stores a reviewer's corrected mask, referenced by the prediction so that blob clean-up keeps it.
    public func storeCorrection(_ bytes: [UInt8], predictionID: String) async throws -> String {
        let blob = try await blobs.write(bytes: bytes)
        try await references.add(sha256: blob.sha256, kind: Self.blobReferenceKind, id: predictionID)
        return blob.sha256
    }

    /// The stored input of a prediction, for an app that checks a correction against it.
    public func input(of prediction: PredictionRecord) throws -> Data? {
        guard let sha = prediction.inputSHA256, let url = blobs.fileURL(sha256: sha) else { return nil }
        return try Data(contentsOf: url)
    }
}
