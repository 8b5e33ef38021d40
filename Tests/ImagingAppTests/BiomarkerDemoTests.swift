import Foundation
@testable import ImagingApp
@testable import ImagingDemo
import KilnCore
import Testing
import XGBoost

@Suite struct BiomarkerDemoTests {
    static let csv = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples/data/breast_cancer_with_header.csv")

    @Test func loadsTheThirtyFeaturesAndStratifiesFolds() throws {
        let table = try BiomarkerTable.load(csv: Self.csv)
        #expect(table.rows == 569 && table.features.count == 30)
        #expect(table.features.first == "mean radius" && table.features.last == "worst fractal dimension")
        #expect(table.labels.filter { $0 == 0 }.count == 212)
        let folds = table.stratifiedFolds(5)
        #expect(folds.map(\.count).reduce(0, +) == 569 && Set(folds.flatMap { $0 }).count == 569)
        // Each fold keeps the malignant share (212/569 ≈ 37%) within one case.
        for fold in folds {
            let malignant = Double(fold.filter { table.labels[$0] == 0 }.count)
            let expected = Double(fold.count) * 212 / 569
            #expect(abs(malignant - expected) <= 1)
        }
    }

    /// Training is reproducible, cross-validation separates the classes well, and TreeSHAP
    /// contributions add up to the margin for every case.
    @Test func trainsReproduciblyAndShapAddsUpToTheMargin() throws {
        let repository = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-bio-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: repository) }
        let trainer = BiomarkerDemoTrainer(library: try XGBoostLibrary())
        let first = try trainer.train(csv: Self.csv, repository: repository)
        let second = try trainer.train(csv: Self.csv, repository: repository)
        #expect(first.version == 1 && second.version == 2)
        #expect(first.foldAUC == second.foldAUC && first.meanAUC > 0.97)
        let bytes = { (version: Int) in try Data(contentsOf: repository.appendingPathComponent("biomarker_classifier/\(version)/model.json")) }
        #expect(try bytes(1) == bytes(2))
        let config = try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: repository.appendingPathComponent("biomarker_classifier/config.json")))
        guard case .object(let fields) = config, case .object(let metadata)? = fields["metadata"] else { Issue.record("no metadata"); return }
        #expect(metadata["demo"] == .bool(true))

        let table = try BiomarkerTable.load(csv: Self.csv)
        let model = try XGBoostModel(path: repository.appendingPathComponent("biomarker_classifier/1/model.json").path, library: XGBoostLibrary(), threads: 1)
        let margins = try model.predict(table.values, rows: table.rows, columns: 30, kind: .margin).values
        let contributions = try model.predict(table.values, rows: table.rows, columns: 30, kind: .contributions).values
        #expect(contributions.count == table.rows * 31)
        for row in 0..<table.rows {
            let sum = contributions[row * 31..<(row + 1) * 31].reduce(0.0) { $0 + Double($1) }
            #expect(abs(sum - Double(margins[row])) < 1e-4)
        }
    }
}
