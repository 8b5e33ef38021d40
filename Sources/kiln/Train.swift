import ArgumentParser
import Foundation
import ImagingApp
import KilnCore
import KilnStore
import XGBoost

/// `kiln train imaging-demo`: trains the medical imaging app's demo models into the model
/// repository, reproducibly, and points their `production` alias at the new versions.
struct Train: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train Kiln's demo models (labelled as demos, not for clinical use).", subcommands: [ImagingDemo.self])

    struct ImagingDemo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "imaging-demo",
            abstract: "Train the imaging app's demo biomarker classifier (XGBoost, Wisconsin breast-cancer data, fixed seed) and set its 'production' alias.")

        @Option(help: "The breast-cancer CSV with scikit-learn's feature names and a 0/1 'target' column.")
        var biomarkerData = "examples/data/breast_cancer_with_header.csv"
        @Option(help: "Model repository (default: the configured one, <data-dir>/models).") var modelRepository: String?
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let config = try store.loadConfig(extraFlags: modelRepository.map { ["model_repository": $0] } ?? [:])
            let repository = URL(fileURLWithPath: config.modelRepositoryPath, isDirectory: true)
            let trainer = BiomarkerDemoTrainer(library: try XGBoostLibrary())
            let result = try trainer.train(csv: URL(fileURLWithPath: biomarkerData), repository: repository)
            print("\(BiomarkerDemoTrainer.modelName) version \(result.version) → \(result.folder.path)")
            print("  5-fold ROC AUC: \(result.foldAUC.map { String(format: "%.4f", $0) }.joined(separator: " ")) (mean \(String(format: "%.4f", result.meanAUC)))")
            try await withDatabase(store) { database in
                try await SQLModelAliasRepository(db: database.sql).set(
                    ModelAlias(model: BiomarkerDemoTrainer.modelName, alias: "production", version: result.version, updatedAt: Date()))
            }
            print("  alias production → version \(result.version)")
        }
    }
}
