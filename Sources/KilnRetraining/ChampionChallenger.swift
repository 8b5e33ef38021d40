import Foundation
import KilnCore
import KilnML

/// The serving version (champion) and the candidate scored on the same cases: each one's metric
/// and the paired difference, with 95 % percentile-bootstrap intervals (the same resampled
/// cases for both, so the interval of the difference is the paired one).
public struct PairedComparison: Sendable, Equatable {
    public struct Estimate: Sendable, Equatable {
        public var value: Double
        public var low: Double
        public var high: Double

        var json: JSONValue { .object(["value": Self.rounded(value), "ci95": .array([Self.rounded(low), Self.rounded(high)])]) }
        static func rounded(_ value: Double) -> JSONValue { value.isFinite ? .number((value * 10_000).rounded() / 10_000) : .null }
    }

    public var metric: RetrainingMetric
    public var cases: Int
    public var serving: Estimate
    public var candidate: Estimate
    public var difference: Estimate

    static let draws = 1000

    /// - Parameter positiveLabel: the class whose `score` ROC AUC ranks.
    public static func compare(serving: [CaseOutcome], candidate: [CaseOutcome], metric: RetrainingMetric,
                               positiveLabel: String?, seed: UInt64 = 0) throws -> PairedComparison {
        guard serving.count == candidate.count, !serving.isEmpty else {
            throw KilnError(.internal, "the two versions were scored on \(serving.count) and \(candidate.count) cases")
        }
        let all = Array(serving.indices)
        func value(_ outcomes: [CaseOutcome], _ indices: [Int]) -> Double {
            Self.metric(metric, outcomes, indices, positiveLabel: positiveLabel)
        }
        var generator = SeededGenerator(state: seed)
        var servingDraws: [Double] = [], candidateDraws: [Double] = [], differenceDraws: [Double] = []
        for _ in 0..<draws {
            let sample = all.map { _ in Int.random(in: 0..<all.count, using: &generator) }
            let a = value(serving, sample), b = value(candidate, sample)
            // A resample without both classes has no ROC AUC; it is left out.
            guard a.isFinite, b.isFinite else { continue }
            servingDraws.append(a)
            candidateDraws.append(b)
            differenceDraws.append(b - a)
        }
        func estimate(_ point: Double, _ draws: [Double]) -> Estimate {
            guard !draws.isEmpty else { return Estimate(value: point, low: .nan, high: .nan) }
            let sorted = draws.sorted()
            return Estimate(value: point, low: Percentile.linear(sorted, 0.025), high: Percentile.linear(sorted, 0.975))
        }
        let a = value(serving, all), b = value(candidate, all)
        return PairedComparison(metric: metric, cases: all.count, serving: estimate(a, servingDraws),
                                candidate: estimate(b, candidateDraws), difference: estimate(b - a, differenceDraws))
    }

    /// The metric over the cases at `indices` (repeats count again, as a bootstrap needs).
    static func metric(_ metric: RetrainingMetric, _ outcomes: [CaseOutcome], _ indices: [Int], positiveLabel: String?) -> Double {
        switch metric {
        case .accuracy:
            return Double(indices.filter { outcomes[$0].predicted == outcomes[$0].label }.count) / Double(indices.count)
        case .dice:
            return indices.reduce(0) { $0 + (outcomes[$1].dice ?? 0) } / Double(indices.count)
        case .rocAUC:
            let labels = indices.map { Float(outcomes[$0].label == positiveLabel ? 1 : 0) }
            guard labels.contains(0), labels.contains(1) else { return .nan }
            return BinaryMetrics.auc(probabilities: indices.map { Float(outcomes[$0].score ?? 0) }, labels: labels)
        }
    }

    public var json: JSONValue {
        .object(["metric": .string(metric.rawValue), "cases": .int(cases), "serving": serving.json,
                 "candidate": candidate.json, "difference": difference.json])
    }
}

/// When a candidate replaces the serving version: better on the reviewed held-out cases by
/// `minImprovement` (and, when `requireSignificant`, with the paired interval above zero), and
/// not worse on the original held-out data by more than `maxRegression`.
public struct PromotionPolicy: Sendable, Codable, Equatable {
    public var minImprovement: Double = 0.02
    public var maxRegression: Double = 0.02
    public var requireSignificant: Bool = true
    public var minEvaluationCases: Int = 20

    public init() {}

    func validate() throws {
        guard (-1...1).contains(minImprovement), (0...1).contains(maxRegression) else {
            throw KilnError.invalidArgument("min_improvement must be in [-1, 1] and max_regression in [0, 1]")
        }
        guard (1...100_000).contains(minEvaluationCases) else { throw KilnError.invalidArgument("min_evaluation_cases must be 1…100000") }
    }

    public struct Decision: Sendable, Equatable {
        public var promote: Bool
        /// One line per check that failed (empty when promoted).
        public var reasons: [String]
        public var checks: [JSONValue]

        public var json: JSONValue {
            .object(["promoted": .bool(promote), "reasons": .array(reasons.map(JSONValue.string)), "checks": .array(checks)])
        }
    }

    public func decide(feedback: PairedComparison?, original: PairedComparison?) -> Decision {
        var checks: [JSONValue] = [], reasons: [String] = []
        func check(_ name: String, _ passed: Bool, _ detail: String) {
            checks.append(.object(["check": .string(name), "passed": .bool(passed), "detail": .string(detail)]))
            if !passed { reasons.append("\(name): \(detail)") }
        }
        func f(_ value: Double) -> String { String(format: "%.4f", value) }
        if let feedback {
            let m = feedback.metric.rawValue
            check("evaluation_cases", feedback.cases >= minEvaluationCases,
                  "\(feedback.cases) reviewed held-out cases (at least \(minEvaluationCases) needed)")
            check("improvement", feedback.difference.value >= minImprovement,
                  "\(m) on the reviewed held-out cases: candidate \(f(feedback.candidate.value)) vs serving \(f(feedback.serving.value)), difference \(f(feedback.difference.value)) (at least \(f(minImprovement)) needed)")
            if requireSignificant {
                check("significance", feedback.difference.low > 0,
                      "\(m) difference 95% interval [\(f(feedback.difference.low)), \(f(feedback.difference.high))] must lie above 0")
            }
        } else {
            check("evaluation_cases", false, "no reviewed case falls in the evaluation split")
        }
        if let original {
            check("no_regression", original.difference.value >= -maxRegression,
                  "\(original.metric.rawValue) on the original held-out data: candidate \(f(original.candidate.value)) vs serving \(f(original.serving.value)), difference \(f(original.difference.value)) (no worse than -\(f(maxRegression)) allowed)")
        }
        return Decision(promote: reasons.isEmpty, reasons: reasons, checks: checks)
    }
}
