import Foundation
import KilnCore

/// `GET /v1/models/{name}/feedback-stats`: how often reviewers agreed with the model, per day
/// or week (UTC) and per predicted class. A prediction counts once, by its latest verdict
/// (notes carry none); it agrees when the reviewer confirmed it.
public struct FeedbackStatistics: Sendable {
    public enum Bucket: String, Sendable, CaseIterable {
        case day, week
    }

    static let maxReviews = 100_000
    let predictions: PredictionRepository

    public init(predictions: PredictionRepository) {
        self.predictions = predictions
    }

    public func stats(model: String, bucket: Bucket) async throws -> JSONValue {
        let reviews = try await predictions.reviews(model: model, decision: nil, limit: Self.maxReviews)
        let latest = PredictionRepository.latestVerdicts(reviews)
        var periods: [Date: Tally] = [:], classes: [String: Tally] = [:], versions: [Int: Tally] = [:]
        var confusion: [String: [String: Int]] = [:]
        var total = Tally()
        for (review, prediction) in latest {
            let agreed = review.decision == .confirm
            total.add(agreed)
            periods[Self.start(of: review.createdAt, bucket), default: Tally()].add(agreed)
            classes[prediction.predictedLabel, default: Tally()].add(agreed)
            versions[prediction.version, default: Tally()].add(agreed)
            confusion[prediction.predictedLabel, default: [:]][review.decision == .correctMask ? "(mask corrected)" : review.label, default: 0] += 1
        }
        let iso = ISO8601DateFormatter()
        return .object([
            "model": .string(model), "bucket": .string(bucket.rawValue),
            "reviewed_predictions": .int(total.reviews), "agreed": .int(total.agreed), "agreement": total.rate,
            "truncated": .bool(reviews.count >= Self.maxReviews),
            "by_period": .array(periods.keys.sorted().map { start in
                periods[start]!.json(["start": .string(iso.string(from: start))])
            }),
            "by_class": .array(classes.keys.sorted().map { label in
                classes[label]!.json(["predicted_label": .string(label),
                                      "reviewer_labels": .object(confusion[label, default: [:]].mapValues { .int($0) })])
            }),
            "by_model_version": .array(versions.keys.sorted().map { version in versions[version]!.json(["version": .int(version)]) }),
        ])
    }

    struct Tally {
        var reviews = 0
        var agreed = 0
        mutating func add(_ agrees: Bool) {
            reviews += 1
            if agrees { agreed += 1 }
        }
        var rate: JSONValue { reviews == 0 ? .null : .number((Double(agreed) / Double(reviews) * 10_000).rounded() / 10_000) }
        func json(_ fields: [String: JSONValue]) -> JSONValue {
            .object(fields.merging(["reviews": .int(reviews), "agreed": .int(agreed), "agreement": rate]) { $1 })
        }
    }

    static let calendar: Calendar = {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// Midnight UTC of the day, or of the ISO week's Monday.
    static func start(of date: Date, _ bucket: Bucket) -> Date {
        switch bucket {
        case .day: return calendar.startOfDay(for: date)
        case .week: return calendar.dateInterval(of: .weekOfYear, for: date)?.start ?? calendar.startOfDay(for: date)
        }
    }
}
