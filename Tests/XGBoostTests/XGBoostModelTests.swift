import Foundation
import KilnCore
import Testing
import XGBoost

@Suite struct XGBoostModelTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../examples/models/ctr_xgboost").standardizedFileURL

    struct Sample: Decodable {
        struct TensorJSON: Decodable {
            var shape: [Int]
            var data: [Double]
        }
        var inputs: [TensorJSON]
        var outputs: [TensorJSON]
    }

    func load() throws -> (XGBoostModel, Sample) {
        let model = try XGBoostModel(path: Self.folder.appendingPathComponent("1/model.json").path, library: try XGBoostLibrary(), threads: 1)
        let sample = try JSONDecoder().decode(Sample.self, from: Data(contentsOf: Self.folder.appendingPathComponent("sample.json")))
        return (model, sample)
    }

    @Test func probabilitiesMatchPythonXGBoost() throws {
        let (model, sample) = try load()
        #expect(model.featureCount == 30)
        let input = sample.inputs[0]
        let (values, shape) = try model.predict(input.data.map(Float.init), rows: input.shape[0], columns: 30)
        #expect(shape == [4])
        for (actual, expected) in zip(values, sample.outputs[0].data) {
            #expect(abs(Double(actual) - expected) <= 1e-5)
        }
    }

    @Test func contributionsSumToTheMargin() throws {
        let (model, sample) = try load()
        let rows = sample.inputs[0].data.map(Float.init)
        let margins = try model.predict(rows, rows: 4, columns: 30, kind: .margin).values
        let (contributions, shape) = try model.predict(rows, rows: 4, columns: 30, kind: .contributions)
        #expect(shape == [4, 31])
        for row in 0..<4 {
            let sum = contributions[(row * 31)..<((row + 1) * 31)].reduce(0, +)
            #expect(abs(sum - margins[row]) < 1e-4)
        }
        let interactions = try model.predict(Array(rows.prefix(30)), rows: 1, columns: 30, kind: .interactions)
        #expect(interactions.shape == [1, 31, 31])
    }

    @Test func badInputIsAnError() throws {
        let (model, _) = try load()
        #expect(throws: KilnError.self) { try model.predict([1, 2, 3], rows: 1, columns: 3) }
        #expect(throws: KilnError.self) { try model.predict([1, 2], rows: 1, columns: 30) }
        #expect(throws: KilnError.self) { try XGBoostModel(path: "/nonexistent/model.json", library: try XGBoostLibrary()) }
        #expect(throws: KilnError.self) { try XGBoostLibrary(path: "libnot-xgboost.so") }
    }
}
