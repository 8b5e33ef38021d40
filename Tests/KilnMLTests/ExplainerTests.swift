import Foundation
import KilnCore
import Testing
@testable import KilnML

/// The explainers against models whose explanations are known in closed form.
@Suite struct ExplainerTests {
    /// Rows of `columns` uniform values in [-1, 1], seeded.
    static func rows(_ count: Int, columns: Int, seed: UInt64) -> [Float] {
        var generator = SeededGenerator(state: seed)
        return (0..<(count * columns)).map { _ in Float.random(in: -1...1, using: &generator) }
    }

    static func evaluate(_ rows: [Float], columns: Int, _ f: ([Float]) -> Double) -> [Double] {
        stride(from: 0, to: rows.count, by: columns).map { f(Array(rows[$0..<($0 + columns)])) }
    }

    @Test func kernelSHAPIsExactForALinearModel() {
        // For f(x) = Σ cⱼxⱼ the Shapley values are cⱼ(xⱼ − E[bⱼ]), whatever the coalitions drawn.
        let columns = 12
        let coefficients: [Double] = (0..<columns).map { Double($0) - 5.5 }
        let f: ([Float]) -> Double = { row in zip(row, coefficients).reduce(0) { $0 + Double($1.0) * $1.1 } }
        let background = KernelSHAP.Background(values: Self.rows(20, columns: columns, seed: 1), rows: 20, columns: columns)
        let instance = Array(Self.rows(1, columns: columns, seed: 2))
        let plan = KernelSHAP(instance: instance, background: background, samples: 300, seed: 3)
        #expect(plan.sampleCount == 300)
        let result = plan.explain(Self.evaluate(plan.rows(0..<plan.rowCount), columns: columns, f))
        for feature in 0..<columns {
            let mean = (0..<20).map { Double(background.values[$0 * columns + feature]) }.reduce(0, +) / 20
            #expect(abs(result.values[feature] - coefficients[feature] * (Double(instance[feature]) - mean)) < 1e-6)
        }
        #expect(result.additivityError < 1e-9)
        #expect(result.fitError < 1e-9)
    }

    @Test func kernelSHAPEnumeratesSmallModelsAndSplitsAnInteraction() {
        // f = x0·x1 with a zero background: the interaction's value is shared equally.
        let background = KernelSHAP.Background(values: [0, 0, 0], rows: 1, columns: 3)
        let plan = KernelSHAP(instance: [2, 3, 5], background: background, seed: 0)
        #expect(plan.sampleCount == 6)  // 2³ − 2 coalitions: all of them
        let result = plan.explain(Self.evaluate(plan.rows(0..<plan.rowCount), columns: 3) { Double($0[0] * $0[1]) })
        #expect(abs(result.values[0] - 3) < 1e-9 && abs(result.values[1] - 3) < 1e-9 && abs(result.values[2]) < 1e-9)
        #expect(result.baseValue == 0 && result.prediction == 6)
    }

    @Test func featuresEqualToTheBackgroundGetZero() {
        let background = KernelSHAP.Background(values: [1, 0, 1, 5], rows: 2, columns: 2)
        let plan = KernelSHAP(instance: [1, 7], background: background, seed: 0)
        #expect(plan.varying == [1])
        let result = plan.explain(Self.evaluate(plan.rows(0..<plan.rowCount), columns: 2) { Double($0[0] + $0[1]) })
        #expect(result.values[0] == 0)
        #expect(abs(result.values[1] - (7 - 2.5)) < 1e-9)
    }

    @Test func limeFindsTheDrivers() {
        // Two strong drivers among eight features: LIME's top two are them, with the right signs.
        let columns = 8
        let training = Self.rows(1000, columns: columns, seed: 5)
        let discretizer = QuartileDiscretizer(values: training, columns: columns, names: (0..<columns).map { "f\($0)" })
        let f: ([Float]) -> Double = { row in
            let z: Double = 4 * Double(row[2]) - 3 * Double(row[6])
            return 1 / (1 + exp(-z))
        }
        let plan = LIMETabular(discretizer: discretizer, instance: [0.9, 0.1, 0.9, -0.2, 0.4, 0.0, -0.9, 0.3], samples: 2000, seed: 1)
        let result = plan.explain(Self.evaluate(plan.evaluationRows, columns: columns, f), features: 4)
        #expect(Set(result.features.prefix(2).map(\.feature)) == [2, 6])
        #expect(result.features.first { $0.feature == 2 }!.weight > 0)
        #expect(result.features.first { $0.feature == 6 }!.weight > 0)  // x6 = −0.9 sits in its lowest bin: high output
        #expect(result.r2 > 0.5 && result.r2 <= 1)
        #expect(result.features.first { $0.feature == 2 }!.condition == "f2 > \(String(format: "%.2f", discretizer.features[2].cuts[2]))")
    }

    @Test func ridgeMatchesTheClosedForm() {
        // y = 2 + 3x exactly: any weights give that fit with R² = 1 when alpha = 0.
        let x: [Double] = [0, 1, 2, 3, 4], y = x.map { 2 + 3 * $0 }
        let fit = WeightedMoments(columns: [x], target: y, weights: [1, 2, 3, 4, 5]).fit([0], alpha: 0)
        #expect(abs(fit.coefficients[0] - 3) < 1e-9 && abs(fit.intercept - 2) < 1e-9 && abs(fit.r2 - 1) < 1e-12)
        // With alpha the slope shrinks: β = Sxy / (Sxx + α).
        let shrunk = WeightedMoments(columns: [x], target: y, weights: [1, 1, 1, 1, 1]).fit([0], alpha: 10)
        #expect(abs(shrunk.coefficients[0] - 3 * 10 / 20) < 1e-9)
    }

    @Test func singularSystemsFallBackToTheMinimumNormSolution() {
        // Two identical columns: the weight is split between them.
        let x: [Double] = [0, 1, 2, 3]
        let fit = WeightedMoments(columns: [x, x], target: x.map { 4 * $0 }, weights: [1, 1, 1, 1]).fit([0, 1], alpha: 0)
        #expect(abs(fit.coefficients[0] - 2) < 1e-6 && abs(fit.coefficients[1] - 2) < 1e-6)
    }

    @Test func kmeansFindsSeparatedClusters() {
        var values: [Float] = []
        for index in 0..<90 { values += index % 3 == 0 ? [0, 0] : index % 3 == 1 ? [10, 10] : [-10, 10] }
        let summary = BackgroundSummary.kmeans(values, rows: 90, columns: 2, count: 3, seed: 4)
        #expect(summary.rows == 3)
        #expect(summary.weights == [30, 30, 30])
        let centres = Set((0..<3).map { "\(summary.values[$0 * 2]),\(summary.values[$0 * 2 + 1])" })
        #expect(centres == ["0.0,0.0", "10.0,10.0", "-10.0,10.0"])
    }

    @Test func welchTMatchesScipy() {
        // scipy.stats.ttest_ind([1,2,3,4,5], [2,4,6,8,10,12], equal_var=False)
        // → t = -2.3763541031440183, df = 6.972255729794934, p = 0.04928433820673053 (scipy 1.17.1)
        let result = TwoSampleTests.welchT([1, 2, 3, 4, 5], [2, 4, 6, 8, 10, 12])
        #expect(abs(result.t - -2.3763541031440183) < 1e-12)
        #expect(abs(result.degreesOfFreedom - 6.972255729794934) < 1e-12)
        #expect(abs(result.pValue - 0.04928433820673053) < 1e-10)
        #expect(TwoSampleTests.welchT([1, 1], [1, 1]).pValue == 1)
    }

    @Test func normalQuantileInvertsTheCDF() {
        for p in [1e-10, 0.001, 0.025, 0.3, 0.5, 0.9, 0.999999] {
            #expect(abs(NormalDistribution.cdf(NormalDistribution.quantile(p)) - p) < 1e-12 * max(1, 1 / p) + 1e-15)
        }
    }
}
