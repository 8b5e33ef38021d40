import Foundation
import KilnCore
import KilnStore

/// Review tasks in Label Studio's formats, so a team that labels in Label Studio can use Kiln
/// as its model backend: `tasks` is a task import (each stored prediction as a pre-annotation),
/// `labelingConfig` the matching project config, and `importAnnotations` reads Label Studio's
/// JSON export back as reviews.
///
/// Images travel inside the task as data URIs (Label Studio cannot send Kiln's bearer token);
/// tabular inputs as pretty-printed JSON text. DICOM inputs have no browser rendering and are
/// exported without an image (`data.image` null); apps keep PNG/JPEG inputs as uploaded.
public struct LabelStudioExchange: Sendable {
    static let maxTasks = 5000
    static let fromName = "label"
    let predictions: PredictionRepository
    let reviews: ReviewService
    let blobs: BlobStore

    init(predictions: PredictionRepository, reviews: ReviewService, blobs: BlobStore) {
        self.predictions = predictions
        self.reviews = reviews
        self.blobs = blobs
    }

    /// The model's stored predictions (newest first) as Label Studio tasks.
    public func tasks(model: String, limit: Int, unreviewedOnly: Bool) async throws -> JSONValue {
        guard (1...Self.maxTasks).contains(limit) else { throw KilnError.invalidArgument("limit must be between 1 and \(Self.maxTasks)") }
        let records = try await predictions.predictions(model: model, unreviewedOnly: unreviewedOnly, limit: limit)
        return .array(try records.map(task))
    }

    func task(_ prediction: PredictionRecord) throws -> JSONValue {
        var data: [String: JSONValue] = [
            "kiln_prediction_id": .string(prediction.predictionID), "kiln_model": .string(prediction.model),
            "kiln_model_version": .int(prediction.version), "kiln_task": .string(prediction.task), "kiln_input_kind": .string(prediction.inputKind),
        ]
        let bytes = try prediction.inputSHA256.flatMap(blobs.fileURL(sha256:)).map { try Data(contentsOf: $0) }
        switch prediction.inputKind {
        case "png", "jpeg":
            data["image"] = bytes.map { .string("data:image/\(prediction.inputKind);base64," + $0.base64EncodedString()) } ?? .null
        case "json":
            data["features_text"] = bytes.flatMap { try? JSONReader.value([UInt8]($0)) }.map { .string(Self.pretty($0)) } ?? .null
        default:
            data["image"] = .null
        }
        var score: JSONValue = .null
        if case .object(let output) = prediction.output, case .object(let probabilities)? = output["probabilities"] {
            score = probabilities[prediction.predictedLabel] ?? .null
        }
        return .object([
            "data": .object(data),
            "predictions": .array([.object([
                "model_version": .string("\(prediction.model)/\(prediction.version)"), "score": score,
                "result": .array([Self.choice(prediction.predictedLabel, toName: Self.toName(prediction.inputKind))]),
            ])]),
        ])
    }

    static func pretty(_ value: JSONValue) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    static func toName(_ inputKind: String) -> String { inputKind == "json" ? "features" : "image" }

    static func choice(_ label: String, toName: String) -> JSONValue {
        .object(["id": "kiln", "from_name": .string(fromName), "to_name": .string(toName), "type": "choices",
                 "value": .object(["choices": .array([.string(label)])])])
    }

    /// The labeling config for the model's predictions: its labels as single choices over the
    /// image (or the features' text).
    public func labelingConfig(model: String) async throws -> String {
        guard let latest = try await predictions.predictions(model: model, unreviewedOnly: false, limit: 1).first else {
            throw KilnError.notFound("model '\(model.prefix(128))' has no stored predictions")
        }
        let labels = ReviewService.labels(of: latest)
        let object = latest.inputKind == "json" ? #"<Text name="features" value="$features_text"/>"# : #"<Image name="image" value="$image"/>"#
        let choices = labels.map { "    <Choice value=\"\(Self.escaped($0))\"/>" }.joined(separator: "\n")
        return "<View>\n  \(object)\n  <Choices name=\"\(Self.fromName)\" toName=\"\(Self.toName(latest.inputKind))\" choice=\"single\" showInline=\"true\">\n\(choices)\n  </Choices>\n</View>\n"
    }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    /// Label Studio's JSON export (a task array with `annotations`) as reviews. Each task's
    /// newest annotation that was not cancelled decides: the predicted label → confirm, another
    /// → correct. Re-importing the same export adds nothing (an unchanged verdict by the same
    /// annotator is skipped). Tasks that name no Kiln prediction are reported, not failed.
    public func importAnnotations(_ export: JSONValue, actor: String) async throws -> JSONValue {
        guard case .array(let tasks) = export else {
            throw KilnError.invalidArgument("the body must be Label Studio's JSON export: an array of tasks")
        }
        guard tasks.count <= Self.maxTasks * 4 else { throw KilnError.invalidArgument("at most \(Self.maxTasks * 4) tasks per import") }
        // A task that is not an object is not Label Studio's export at all (unlike one that
        // names no Kiln prediction, which is reported and skipped).
        if let index = tasks.firstIndex(where: { if case .object = $0 { return false }; return true }) {
            throw KilnError.invalidArgument("task \(index) is not an object: the body must be Label Studio's JSON export, an array of task objects")
        }
        var imported: [JSONValue] = [], unchanged = 0, skipped: [JSONValue] = []
        for (index, task) in tasks.enumerated() {
            let taskID: JSONValue = { if case .object(let o) = task { return o["id"] ?? .int(index) }; return .int(index) }()
            func skip(_ reason: String) { skipped.append(.object(["task": taskID, "reason": .string(reason)])) }
            guard case .object(let object) = task, case .object(let data)? = object["data"],
                  case .string(let predictionID)? = data["kiln_prediction_id"] else { skip("no data.kiln_prediction_id"); continue }
            guard let annotation = Self.latestAnnotation(object["annotations"]), let label = Self.chosenLabel(annotation) else {
                skip("no annotation with a choice"); continue
            }
            let annotator = Self.annotator(annotation)
            guard let prediction = try await predictions.prediction(id: predictionID) else { skip("no prediction '\(predictionID.prefix(64))'"); continue }
            if let last = try await predictions.latestReview(predictionID: predictionID), last.reviewer == annotator, last.label == label {
                unchanged += 1
                continue
            }
            do {
                let review = try await reviews.review(
                    predictionID: predictionID, decision: label == prediction.predictedLabel ? "confirm" : "correct", label: label,
                    notes: "imported from Label Studio by \(actor)", reviewer: annotator)
                imported.append(review)
            } catch let error as KilnError where error.code == .invalidArgument {
                skip(error.message)
            }
        }
        return .object(["imported": .int(imported.count), "unchanged": .int(unchanged), "skipped": .array(skipped), "reviews": .array(imported)])
    }

    static func latestAnnotation(_ value: JSONValue?) -> [String: JSONValue]? {
        guard case .array(let annotations)? = value else { return nil }
        let live = annotations.compactMap { annotation -> [String: JSONValue]? in
            guard case .object(let object) = annotation, object["was_cancelled"] != .bool(true) else { return nil }
            return object
        }
        // ISO 8601 timestamps sort as text; the last one listed wins a tie.
        return live.enumerated().max { a, b in
            let x = stamp(a.element), y = stamp(b.element)
            return x == y ? a.offset < b.offset : x < y
        }?.element
    }

    static func stamp(_ annotation: [String: JSONValue]) -> String {
        if case .string(let text)? = annotation["updated_at"] { return text }
        if case .string(let text)? = annotation["created_at"] { return text }
        return ""
    }

    static func chosenLabel(_ annotation: [String: JSONValue]) -> String? {
        guard case .array(let results)? = annotation["result"] else { return nil }
        for case .object(let result) in results {
            guard result["type"] == "choices", case .object(let value)? = result["value"], case .array(let choices)? = value["choices"],
                  case .string(let label)? = choices.first else { continue }
            return label
        }
        return nil
    }

    /// `label-studio:<email>` (exports carry the annotator as an id, or an object with an email).
    static func annotator(_ annotation: [String: JSONValue]) -> String {
        switch annotation["completed_by"] {
        case .object(let user)?:
            if case .string(let email)? = user["email"] { return "label-studio:\(email)" }
            if case .number(let id)? = user["id"] { return "label-studio:user-\(Int(id))" }
        case .number(let id)?: return "label-studio:user-\(Int(id))"
        default: break
        }
        return "label-studio"
    }
}
