import Foundation
import KilnCore
@testable import CTRApp
import Testing
import XGBoost
import KilnML

@Suite struct FeatureAnalysisTests {
    @Test func mannWhitneyMatchesTheTextbook() {
        // scipy.stats.mannwhitneyu([1,2,3], [4,5,6], method="asymptotic") → p = 0.0809
        #expect(abs(TwoSampleTests.mannWhitneyU([1, 2, 3], [4, 5, 6]) - 0.0809) < 0.001)
        #expect(TwoSampleTests.mannWhitneyU([1, 1, 1], [1, 1]) == 1)
        #expect(TwoSampleTests.mannWhitneyU([], [1]) == 1)
    }

    @Test func aucCountsTiesHalf() {
        // sklearn.metrics.roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) → 0.75
        #expect(BinaryMetrics(probabilities: [0.1, 0.4, 0.35, 0.8], labels: [0, 0, 1, 1]).auc == 0.75)
        #expect(BinaryMetrics(probabilities: [0.5, 0.5, 0.9], labels: [0, 1, 1]).auc == 0.75)
        #expect(BinaryMetrics(probabilities: [0.2, 0.3], labels: [1, 1]).auc == 0.5)
    }

    @Test func pearsonSkipsMissingValuesAndConstantColumns() {
        let nan = Float.nan
        // Columns: x, 2x, -x with one missing value, constant.
        let values: [Float] = [1, 2, -1, 5, 2, 4, nan, 5, 3, 6, -3, 5, 4, 8, -4, 5]
        let r = FeatureAnalysis.pearson(values: values, columns: 4)
        #expect(abs(r[0][1] - 1) < 1e-9 && abs(r[0][2] + 1) < 1e-9 && r[0][3] == 0 && r[3][3] == 1 && r[1][0] == r[0][1])
    }

    @Test func importanceFollowsTheFeatureThatDecides() throws {
        var generator = SeededGenerator(state: 3)
        var values: [Float] = [], labels: [Float] = []
        for _ in 0..<600 {
            let signal = Float.random(in: -1...1, using: &generator), noise = Float.random(in: -1...1, using: &generator)
            values += [signal, noise]
            labels.append(signal > 0.3 ? 1 : 0)
        }
        let trainer = try XGBoostTrainer(library: try XGBoostLibrary(), train: .init(values: values, labels: labels, columns: 2),
                                         evaluation: [], parameters: [("objective", "binary:logistic"), ("max_depth", "3"), ("nthread", "1")])
        for round in 0..<10 { _ = try trainer.boost(round: round) }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-fa-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try trainer.save(to: file)
        let importance = try FeatureAnalysis.gainImportance(modelJSON: Data(contentsOf: file), features: 2, resamples: 200)
        let analysis = FeatureAnalysis.compute(names: ["signal", "noise"], importance: importance, method: "gain", values: values, labels: labels)
        let signal = analysis.features[0], noise = analysis.features[1]
        #expect(signal.importance > 0.8 && abs(signal.importance + noise.importance - 1) < 1e-9)
        #expect(signal.ci[0] <= signal.importance && signal.importance <= signal.ci[1])
        #expect(signal.pValue < 1e-6 && noise.pValue > 0.01)
    }
}
