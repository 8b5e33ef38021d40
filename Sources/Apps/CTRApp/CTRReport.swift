import Foundation
import KilnCore
import KilnLLM

/// `GET /api/report/ai/{run_id}`: the seed's AI report. Every number comes from the run by the
/// formulas below (also in the README); only the wording of `summary`, `aiInsights` and
/// `actionPlan` comes from an LLM when one is configured, else from Korean or English templates.
///
/// - accuracy: validation accuracy in percent.
/// - lift: CTR of the validation rows the model ranks in its top 10%, over the validation CTR.
/// - roiIncrease: (lift − 1) × 100 — percent more clicks, so more return, for the same spend
///   when impressions go to the top-decile audience instead of a random one (cost per
///   impression and value per click held equal).
/// - additionalClicks: monthly impressions × validation CTR × (lift − 1).
/// - additionalRevenue: additionalClicks × click value, in the configured currency.
struct CTRReport: Sendable {
    let settings: CTRSettings
    let llm: ChatCompletionsClient?

    struct Facts: Encodable, Sendable {
        var model: String
        var accuracy: Double
        var auc: Double
        var precision: Double
        var recall: Double
        var f1Score: Double
        var baseCTR: Double
        var topDecileCTR: Double
        var lift: Double
        var roiIncrease: Double
        var additionalClicks: Double
        var additionalRevenue: Double
        var currency: String
        var monthlyImpressions: Double
        var topFeatures: [TopFeature]
    }

    struct TopFeature: Encodable, Sendable {
        var feature: String
        var description: String
        var importance: Double
        var ci: [Double]
        var pValue: Double
    }

    struct Narrative: Decodable, Sendable {
        var summary: String
        var aiInsights: [String]
        var actionPlan: [String]
    }

    func facts(_ results: CTRRunReader.RunResults) -> Facts {
        let evaluation = results.evaluation
        let lift = evaluation.topDecileLift
        let extraClicks = settings.monthlyImpressions * evaluation.baseCTR * (lift - 1)
        let top = results.analysis.features.sorted { $0.importance > $1.importance }.prefix(5).map {
            TopFeature(feature: $0.feature, description: results.description($0.feature), importance: $0.importance, ci: $0.ci, pValue: $0.pValue)
        }
        return Facts(
            model: results.modelKind, accuracy: Self.round(evaluation.metrics.accuracy * 100, 1), auc: Self.round(evaluation.metrics.auc, 4),
            precision: Self.round(evaluation.metrics.precision, 4), recall: Self.round(evaluation.metrics.recall, 4),
            f1Score: Self.round(evaluation.metrics.f1Score, 4), baseCTR: Self.round(evaluation.baseCTR * 100, 3),
            topDecileCTR: Self.round((evaluation.deciles.first?.ctr ?? evaluation.baseCTR) * 100, 3), lift: Self.round(lift, 3),
            roiIncrease: Self.round((lift - 1) * 100, 1), additionalClicks: extraClicks.rounded(),
            additionalRevenue: (extraClicks * settings.clickValue).rounded(), currency: settings.currency,
            monthlyImpressions: settings.monthlyImpressions, topFeatures: Array(top))
    }

    /// A written report: the computed facts and the narrative around them.
    struct Written: Sendable {
        var runID: String
        var facts: Facts
        var narrative: Narrative
        /// `llm:MODEL`, `template:LANG`, or the template with the reason the LLM was not used.
        var source: String
        var language: String
        var clickValue: Double

        /// The seed's `GET /api/report/ai/{run_id}` answer.
        var json: JSONValue {
            let topFeatures = (try? JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(facts.topFeatures))) ?? .array([])
            return .object([
                "run_id": .string(runID),
                "summary": .string(narrative.summary),
                "accuracy": .number(facts.accuracy),
                "roiIncrease": .number(facts.roiIncrease),
                "additionalRevenue": .number(facts.additionalRevenue),
                "additionalClicks": .number(facts.additionalClicks),
                "currency": .string(facts.currency),
                "topFeatures": topFeatures,
                "aiInsights": .array(narrative.aiInsights.map(JSONValue.string)),
                "actionPlan": .array(narrative.actionPlan.map(JSONValue.string)),
                "metrics": .object([
                    "auc": .number(facts.auc), "precision": .number(facts.precision), "recall": .number(facts.recall),
                    "f1_score": .number(facts.f1Score), "base_ctr": .number(facts.baseCTR), "top_decile_ctr": .number(facts.topDecileCTR),
                    "lift": .number(facts.lift),
                ]),
                "assumptions": .object([
                    "click_value": .number(clickValue), "monthly_impressions": .number(facts.monthlyImpressions),
                ]),
                "narrativeSource": .string(source),
                "language": .string(language),
            ])
        }
    }

    func write(_ results: CTRRunReader.RunResults, language: String) async -> Written {
        let facts = facts(results)
        var narrative = Self.template(facts, language: language, minAccuracy: settings.alertMinAccuracy)
        var source = "template:\(language)"
        if let llm {
            do {
                narrative = try await Self.ask(llm, facts: facts, language: language)
                source = "llm:\(llm.model)"
            } catch {
                source = "template:\(language) (LLM unavailable: \(String(describing: error).prefix(200)))"
            }
        }
        return Written(runID: results.run.info.runID, facts: facts, narrative: narrative, source: source, language: language,
                       clickValue: settings.clickValue)
    }

    /// Whole numbers with the locale-independent thousands separator: 36,125,000.
    static func grouped(_ value: Double) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.maximumFractionDigits = 0
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.usesGroupingSeparator = true
        formatter.groupingSeparator = ","
        return formatter.string(from: NSNumber(value: value)) ?? String(Int(value))
    }

    static func round(_ value: Double, _ digits: Int) -> Double {
        let scale = pow(10, Double(digits))
        return (value * scale).rounded() / scale
    }

    static func ask(_ llm: ChatCompletionsClient, facts: Facts, language: String) async throws -> Narrative {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let factsText = String(decoding: try encoder.encode(facts), as: UTF8.self)
        let answer = try await llm.complete([
            .init(role: "system", content: """
                You write the narrative of an ad click-through-rate model report for marketers. Use only the numbers in the \
                facts; do not invent figures. Answer in \(language == "ko" ? "Korean" : "English") with one JSON object: \
                {"summary": string, "aiInsights": [3 to 5 strings], "actionPlan": [3 to 5 strings]} and nothing else.
                """),
            .init(role: "user", content: "Facts (percentages are in percent; additionalRevenue is per month): \(factsText)"),
        ])
        // Models often wrap JSON in a code fence; take the outermost object.
        guard let start = answer.firstIndex(of: "{"), let end = answer.lastIndex(of: "}"), start < end,
              let narrative = try? JSONDecoder().decode(Narrative.self, from: Data(answer[start...end].utf8)),
              !narrative.summary.isEmpty else {
            throw KilnError(.unavailable, "the LLM's answer is not the requested JSON")
        }
        return narrative
    }

    static func template(_ facts: Facts, language: String, minAccuracy: Double) -> Narrative {
        let korean = language == "ko"
        let model = facts.model.uppercased()
        let summary = korean
            ? "\(model) 모델은 검증 데이터에서 정확도 \(facts.accuracy)%, ROC AUC \(facts.auc)를 기록했습니다. 예측 CTR 상위 10% 노출의 CTR은 \(facts.topDecileCTR)%로 평균 \(facts.baseCTR)%의 \(facts.lift)배이며, 이 세그먼트에 집중하면 같은 비용으로 클릭이 \(facts.roiIncrease)% 늘어납니다."
            : "The \(model) model reaches \(facts.accuracy)% accuracy and a ROC AUC of \(facts.auc) on held-out data. The top 10% of impressions by predicted CTR click at \(facts.topDecileCTR)%, \(facts.lift)× the average \(facts.baseCTR)%; focusing spend there brings \(facts.roiIncrease)% more clicks for the same cost."
        var insights: [String] = facts.topFeatures.prefix(3).map { feature in
            let significant = feature.pValue < 0.05
            let p = feature.pValue < 0.0001 ? "< 0.0001" : String(format: "%.4f", feature.pValue)
            let ci = String(format: "[%.3f, %.3f]", feature.ci.first ?? 0, feature.ci.last ?? 0)
            return korean
                ? "'\(feature.description)'(\(feature.feature))의 중요도는 \(String(format: "%.3f", feature.importance)) (95% CI \(ci))이며, 클릭 여부에 따른 분포 차이는 \(significant ? "유의합니다" : "유의하지 않습니다") (p \(p))."
                : "'\(feature.description)' (\(feature.feature)) has importance \(String(format: "%.3f", feature.importance)) (95% CI \(ci)); its distribution \(significant ? "differs" : "does not differ significantly") between clicks and non-clicks (p \(p))."
        }
        insights.append(korean
            ? "클릭 예측의 재현율은 \(Int((facts.recall * 100).rounded()))%, 정밀도는 \(String(format: "%.1f", facts.precision * 100))%입니다. CTR이 낮아 정확도만으로는 성능을 판단할 수 없습니다."
            : "Recall on clicks is \(Int((facts.recall * 100).rounded()))% at \(String(format: "%.1f", facts.precision * 100))% precision; with a low CTR, accuracy alone says little.")
        var plan: [String] = []
        plan.append(korean
            ? "예측 CTR 상위 10% 세그먼트에 예산을 우선 배분하세요 (예상 CTR \(facts.topDecileCTR)%)."
            : "Give the top 10% segment by predicted CTR first call on budget (expected CTR \(facts.topDecileCTR)%).")
        if let first = facts.topFeatures.first {
            plan.append(korean
                ? "'\(first.description)' 조건별 입찰·노출 전략을 A/B 테스트로 검증하세요."
                : "A/B-test bidding and placement by '\(first.description)'.")
        }
        plan.append(korean
            ? "월 \(grouped(facts.monthlyImpressions))회 노출 기준 추가 클릭 약 \(grouped(facts.additionalClicks))회, 추가 수익 약 \(grouped(facts.additionalRevenue)) \(facts.currency)가 예상됩니다; 2주간의 A/B 테스트로 확인하세요."
            : "At \(grouped(facts.monthlyImpressions)) impressions a month this means about \(grouped(facts.additionalClicks)) more clicks and \(grouped(facts.additionalRevenue)) \(facts.currency) more revenue; confirm with a two-week A/B test.")
        if facts.accuracy < minAccuracy * 100 || facts.auc < 0.7 {
            plan.append(korean
                ? "모델 성능이 기준(정확도 \(Int(minAccuracy * 100))%, AUC 0.7)에 못 미칩니다: 데이터를 더 모은 뒤 재학습하세요."
                : "The model is below the bar (accuracy \(Int(minAccuracy * 100))%, AUC 0.7): collect more data and retrain.")
        }
        return Narrative(summary: summary, aiInsights: insights, actionPlan: plan)
    }
}
