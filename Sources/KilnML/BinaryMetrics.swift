import Foundation

/// Quality of binary predictions on labelled rows (label 1 = the positive class). With rare
/// positives (a ~2% click rate) accuracy alone says little, hence precision, recall, F1 and ROC AUC.
public struct BinaryMetrics: Codable, Sendable, Equatable {
    public var accuracy: Double
    public var precision: Double
    public var recall: Double
    public var f1Score: Double
    /// ROC AUC, ties counted half (the Mann–Whitney statistic); 0.5 when one class is absent.
    public var auc: Double
    /// Mean binary cross-entropy, probabilities clipped to [1e-7, 1 − 1e-7].
    public var logLoss: Double

    enum CodingKeys: String, CodingKey {
        case accuracy, precision, recall, f1Score = "f1_score", auc, logLoss = "log_loss"
    }

    public init(probabilities: [Float], labels: [Float], threshold: Float = 0.5) {
        var tp = 0.0, fp = 0.0, tn = 0.0, fn = 0.0, loss = 0.0
        for (probability, label) in zip(probabilities, labels) {
            let positive = label == 1, predicted = probability >= threshold
            switch (predicted, positive) {
            case (true, true): tp += 1
            case (true, false): fp += 1
            case (false, false): tn += 1
            case (false, true): fn += 1
            }
            loss += Self.logLoss(probability: probability, label: label)
        }
        let n = max(1, tp + fp + tn + fn)
        accuracy = (tp + tn) / n
        precision = tp + fp > 0 ? tp / (tp + fp) : 0
        recall = tp + fn > 0 ? tp / (tp + fn) : 0
        f1Score = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
        auc = Self.auc(probabilities: probabilities, labels: labels)
        logLoss = loss / n
    }

    public static func logLoss(probability: Float, label: Float) -> Double {
        let p = min(max(Double(probability), 1e-7), 1 - 1e-7)
        return label == 1 ? -log(p) : -log(1 - p)
    }

    public static func auc(probabilities: [Float], labels: [Float]) -> Double {
        let ranked = TiedRanks.sum(probabilities) { labels[$0] == 1 }
        let positives = Double(ranked.count), rankSum = ranked.rankSum
        let negatives = Double(probabilities.count) - positives
        guard positives > 0, negatives > 0 else { return 0.5 }
        return (rankSum - positives * (positives + 1) / 2) / (positives * negatives)
    }
}
