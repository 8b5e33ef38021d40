import Foundation
import KilnCore
import Testing
import XGBoost

@Suite struct XGBoostTrainerTests {
    /// Two features; the label is 1 when their sum is positive (a learnable rule).
    static func data(rows: Int, seed: UInt64) -> XGBoostTrainer.DataSet {
        var generator = SeededGenerator(state: seed)
        var values: [Float] = [], labels: [Float] = []
        for _ in 0..<rows {
            let a = Float.random(in: -1...1, using: &generator), b = Float.random(in: -1...1, using: &generator)
            values += [a, b]
            labels.append(a + b > 0 ? 1 : 0)
        }
        return .init(values: values, labels: labels, columns: 2)
    }

    @Test func boostsRoundByRoundAndSavesAModelThatPredicts() throws {
        let library = try XGBoostLibrary()
        let trainer = try XGBoostTrainer(
            library: library, train: Self.data(rows: 400, seed: 1), evaluation: [("validation", Self.data(rows: 200, seed: 2))],
            parameters: [("objective", "binary:logistic"), ("eval_metric", "logloss"), ("eval_metric", "auc"), ("max_depth", "3"),
                         ("seed", "0"), ("nthread", "1")])
        var losses: [Double] = []
        for round in 0..<20 {
            let metrics = try trainer.boost(round: round)
            losses.append(try #require(metrics["validation-logloss"]))
            #expect(metrics["validation-auc"] != nil)
        }
        #expect(losses.last! < losses.first!)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-xgb-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try trainer.save(to: file)
        let model = try XGBoostModel(path: file.path, library: library, threads: 1)
        let (probabilities, _) = try model.predict([0.9, 0.8, -0.9, -0.7], rows: 2, columns: 2)
        #expect(probabilities[0] > 0.5 && probabilities[1] < 0.5)
    }

    @Test func refusesMismatchedShapes() throws {
        let bad = XGBoostTrainer.DataSet(values: [1, 2, 3], labels: [0, 1], columns: 2)
        #expect(throws: KilnError.self) {
            _ = try XGBoostTrainer(library: try XGBoostLibrary(), train: bad, evaluation: [], parameters: [])
        }
    }
}
