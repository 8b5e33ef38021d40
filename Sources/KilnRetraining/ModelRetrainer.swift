import Foundation
import KilnCore
import KilnFeedback
import KilnServing

/// How one model is retrained from reviews: registered by the model's app, run by the
/// platform's `retraining` job, which then compares the candidate with the serving version on
/// the same held-out data and promotes it only if it is better (see `PromotionPolicy`).
///
/// The platform owns the loop (feedback dataset, evaluation split, tracking run, decision,
/// alias); the trainer owns only what is model-specific: turning a reviewed case into training
/// data, training from the serving version, and scoring a version on cases.
public protocol ModelRetrainer: Sendable {
    /// The model this trainer retrains (`ct_classifier`).
    var model: String { get }
    /// The metric the candidate must improve on.
    var metric: RetrainingMetric { get }
    /// The review decisions that carry a training signal for this model (labels: confirm and
    /// correct; masks: correct_mask).
    var decisions: Set<ReviewRecord.Decision> { get }

    /// Trains a candidate starting from `champion` (fine-tuning or refitting, the trainer's
    /// choice) on the reviewed `cases` and whatever original data it keeps, and writes the
    /// artifact and its `config.json` into `staging`.
    func train(from champion: RetrainingVersion, cases: [RetrainingCase], options: RetrainingOptions,
               into staging: URL, session: RetrainingSession) async throws

    /// Scores each version on the reviewed `cases` (one outcome per case, in order).
    func evaluate(_ versions: [RetrainingVersion], cases: [RetrainingCase], session: RetrainingSession) async throws -> [[CaseOutcome]]

    /// Scores each version on the held-out part of the original training data, as described by
    /// `versions[0]` (the serving version); nil when the trainer knows none.
    func evaluateOriginal(_ versions: [RetrainingVersion], session: RetrainingSession) async throws -> HeldOutOutcomes?
}

/// A metric a candidate is judged on; every one is "higher is better".
public enum RetrainingMetric: String, Sendable, Codable {
    case accuracy
    case rocAUC = "roc_auc"
    case dice
}

/// One model version as a trainer sees it: its folder and its effective config (the model's
/// `config.json` with the version's laid over it, as the repository reads it).
public struct RetrainingVersion: Sendable {
    public var model: String
    /// nil for the candidate before it is installed.
    public var number: Int?
    public var folder: URL
    public var config: ModelConfig

    public init(model: String, number: Int?, folder: URL, config: ModelConfig) {
        self.model = model
        self.number = number
        self.folder = folder
        self.config = config
    }

    public var metadata: [String: JSONValue] { config.metadata ?? [:] }
}

/// A reviewed prediction: what the model saw (the stored input), said, and what the reviewer said.
public struct RetrainingCase: Sendable {
    public var prediction: PredictionRecord
    public var decision: ReviewRecord.Decision
    /// The reviewer's label (the predicted one when confirmed).
    public var label: String
    public var maskSHA256: String?
}

/// How a version did on one case.
public struct CaseOutcome: Sendable {
    /// The true label (the reviewer's, or the held-out set's).
    public var label: String
    public var predicted: String
    /// The probability of the positive class (ROC AUC).
    public var score: Double?
    /// The Dice overlap with the true mask (segmentation).
    public var dice: Double?

    public init(label: String, predicted: String, score: Double? = nil, dice: Double? = nil) {
        self.label = label
        self.predicted = predicted
        self.score = score
        self.dice = dice
    }
}

/// The original held-out data's outcomes per version, and what that data is.
public struct HeldOutOutcomes: Sendable {
    /// What the set is (`synthetic CT slices, seed 2027`).
    public var description: String
    /// A hash of the set's contents (the same set gives the same hash).
    public var sha256: String
    public var outcomes: [[CaseOutcome]]

    public init(description: String, sha256: String, outcomes: [[CaseOutcome]]) {
        self.description = description
        self.sha256 = sha256
        self.outcomes = outcomes
    }
}

/// What a retraining asks of its trainer (defaults are the trainer's).
public struct RetrainingOptions: Sendable, Codable, Equatable {
    public var epochs: Int?
    public var learningRate: Double?
    public var seed: UInt64?

    public init(epochs: Int? = nil, learningRate: Double? = nil, seed: UInt64? = nil) {
        self.epochs = epochs
        self.learningRate = learningRate
        self.seed = seed
    }

    func validate() throws {
        if let epochs, !(1...200).contains(epochs) { throw KilnError.invalidArgument("epochs must be 1…200") }
        if let learningRate, !(learningRate > 0 && learningRate <= 1) { throw KilnError.invalidArgument("learning_rate must be in (0, 1]") }
        if let seed, seed > 9_007_199_254_740_991 { throw KilnError.invalidArgument("seed must be between 0 and 2^53 − 1") }
    }
}

/// What a running trainer can do: read stored inputs, report progress and log metrics to the
/// retraining's tracking run, and notice cancellation.
public struct RetrainingSession: Sendable {
    let readBlob: @Sendable (String) throws -> Data
    let report: @Sendable (Double, String) async -> Void
    let log: @Sendable (String, Double, Int) async -> Void

    public init(readBlob: @escaping @Sendable (String) throws -> Data, report: @escaping @Sendable (Double, String) async -> Void,
                log: @escaping @Sendable (String, Double, Int) async -> Void) {
        self.readBlob = readBlob
        self.report = report
        self.log = log
    }

    /// The bytes of a stored input or mask.
    public func blob(_ sha256: String) throws -> Data { try readBlob(sha256) }
    /// Training progress, 0…1 of the training stage.
    public func progress(_ fraction: Double, _ message: String) async { await report(fraction, message) }
    /// A metric of the tracking run (`train_loss` per epoch).
    public func logMetric(_ key: String, _ value: Double, step: Int) async { await log(key, value, step) }
    public func checkCancellation() throws { try Task.checkCancellation() }
}
