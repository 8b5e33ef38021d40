import Foundation
import KilnCore
@testable import CTRApp
import CTRDemo
import Testing
import XGBoost
import KilnML

@Suite struct CTRDataGeneratorTests {
    static func csv(rows: Int, columns: Int, seed: UInt64) throws -> Data {
        var bytes: [UInt8] = []
        try CTRDataGenerator(rows: rows, columns: columns, seed: seed).generate { bytes += $0 }
        return Data(bytes)
    }

    static func table(rows: Int, columns: Int, seed: UInt64) throws -> CSVTable {
        try CSVTable.parse(csv(rows: rows, columns: columns, seed: seed))
    }

    @Test func isReproducibleValidAndRare() throws {
        let table = try Self.table(rows: 20_000, columns: 12, seed: 5)
        #expect(try Self.table(rows: 20_000, columns: 12, seed: 5).rows == table.rows)
        #expect(try Self.table(rows: 200, columns: 12, seed: 6).rows != Array(table.rows.prefix(200)))
        let dataset = try CTRDataset(csv: Self.csv(rows: 20_000, columns: 12, seed: 5))
        #expect(dataset.validation.isValid)
        #expect(table.header.count == 12 && table.header.last == "clicked")
        #expect(dataset.info.ctr > 1.5 && dataset.info.ctr < 2.6)
        #expect(try CTRDataGenerator(rows: 1, columns: 20, seed: 0).mappingCSV().contains("hour,시간대"))
        #expect(throws: KilnError.self) { try CTRDataGenerator(rows: 10, columns: 4, seed: 0) }
    }

    /// The documented ground truth is what a model finds: the four drivers rank in the top five
    /// by gain, and most noise columns show no difference between clicks and non-clicks.
    @Test func trueDriversRankOnTopAndNoiseIsNotSignificant() throws {
        let dataset = try CTRDataset(csv: Self.csv(rows: 60_000, columns: 40, seed: 1))
        let (values, labels, columns) = try dataset.matrix()
        let trainer = try XGBoostTrainer(library: try XGBoostLibrary(), train: .init(values: values, labels: labels, columns: columns),
                                         evaluation: [], parameters: [("objective", "binary:logistic"), ("max_depth", "4"), ("eta", "0.3"),
                                                                      ("scale_pos_weight", "40"), ("seed", "0"), ("nthread", "2")])
        for round in 0..<30 { _ = try trainer.boost(round: round) }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-gen-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try trainer.save(to: file)
        let importance = try FeatureAnalysis.gainImportance(modelJSON: Data(contentsOf: file), features: columns, resamples: 100)
        let analysis = FeatureAnalysis.compute(names: dataset.featureNames, importance: importance, method: "gain", values: values, labels: labels)
        let top5 = Set(analysis.features.sorted { $0.importance > $1.importance }.prefix(5).map(\.feature))
        #expect(top5.isSuperset(of: CTRDataGenerator.drivers), "top 5: \(top5)")
        let noise = analysis.features.filter { !CTRDataGenerator.drivers.contains($0.feature) }
        let significant = noise.filter { $0.pValue < 0.05 }
        #expect(Double(significant.count) <= 0.15 * Double(noise.count), "noise with p < 0.05: \(significant.map(\.feature))")
        for driver in analysis.features where CTRDataGenerator.drivers.contains(driver.feature) && driver.feature != "age_group" {
            #expect(driver.pValue < 1e-6, "\(driver.feature) p = \(driver.pValue)")
        }
    }
}
