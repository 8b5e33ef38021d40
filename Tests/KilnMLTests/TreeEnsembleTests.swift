import Foundation
import KilnCore
import Testing
import XGBoost
@testable import KilnML

/// The tree evaluator against XGBoost itself, on the repository's demo CTR model (50 trees of
/// depth 4, binary:logistic, 30 features).
@Suite struct TreeEnsembleTests {
    static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../examples/models/ctr_xgboost/1/model.json").standardizedFileURL

    static func rows(_ count: Int, seed: UInt64, missing: Bool = false) -> [Float] {
        var generator = SeededGenerator(state: seed)
        return (0..<(count * 30)).map { index in
            if missing, index % 7 == 3 { return .nan }
            return Float.random(in: -2...2, using: &generator)
        }
    }

    @Test func predictsWhatXGBoostPredicts() throws {
        let ensemble = try #require(TreeEnsemble(xgboostJSON: Data(contentsOf: Self.file)))
        let model = try XGBoostModel(path: Self.file.path, library: try XGBoostLibrary(), threads: 1)
        let rows = Self.rows(500, seed: 1, missing: true)
        let expected = try model.predict(rows, rows: 500, columns: 30).values
        for row in 0..<500 {
            #expect(abs(ensemble.predict(rows[(row * 30)..<((row + 1) * 30)]) - Double(expected[row])) < 1e-6)
        }
    }

    @Test func coalitionOutputsEqualTheModelOnThePlannedRows() throws {
        let ensemble = try #require(TreeEnsemble(xgboostJSON: Data(contentsOf: Self.file)))
        let model = try XGBoostModel(path: Self.file.path, library: try XGBoostLibrary(), threads: 1)
        let background = KernelSHAP.Background(values: Self.rows(20, seed: 2), rows: 20, columns: 30)
        let plan = KernelSHAP(instance: Array(Self.rows(1, seed: 3)), background: background, samples: 300, seed: 4)
        let fast = ensemble.coalitionOutputs(plan)
        let rows = plan.rows(0..<plan.rowCount)
        let expected = try model.predict(rows, rows: plan.rowCount, columns: 30).values
        #expect(fast.count == expected.count)
        #expect(zip(fast, expected).allSatisfy { abs($0 - Double($1)) < 1e-6 })
    }

    @Test func refusesWhatItCannotReproduce() {
        #expect(TreeEnsemble(xgboostJSON: Data("{}".utf8)) == nil)
        let multiClass = #"{"learner":{"learner_model_param":{"base_score":"5E-1","num_class":"3","num_feature":"2"},"objective":{"name":"multi:softprob"},"gradient_booster":{"name":"gbtree","model":{"trees":[],"tree_info":[]}}}}"#
        #expect(TreeEnsemble(xgboostJSON: Data(multiClass.utf8)) == nil)
    }
}
