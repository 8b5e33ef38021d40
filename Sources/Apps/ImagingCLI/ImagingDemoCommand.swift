import ArgumentParser
import Foundation
import ImagingApp
import ImagingDemo
import KilnAppKit
import KilnCLIKit
import KilnCore
import KilnStore
import Torch
import XGBoost

/// `kiln train imaging-demo`: trains the medical imaging app's demo models into the model
/// repository, reproducibly, and points their `production` alias at the new versions.
public struct ImagingDemoCommand<Host: KilnCommandHost>: AsyncParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "imaging-demo",
            abstract: "Train the imaging app's demo models (CT classifier: libtorch CNN on synthetic slices; MRI segmenter: libtorch 3-D U-Net on synthetic volumes; biomarker classifier: XGBoost on the Wisconsin breast-cancer data), with fixed seeds, and set their 'production' aliases.")
    }

    public init() {}

    @Option(help: "The breast-cancer CSV with scikit-learn's feature names and a 0/1 'target' column.")
    var biomarkerData = "examples/data/breast_cancer_with_header.csv"
    @Option(help: "Model repository (default: the configured one, <data-dir>/models).") var modelRepository: String?
    @Option(help: "Which demo models to train: all, ct, mri, biomarker.") var only = "all"
    @Option(help: "Synthetic CT slices to train on (fewer trains faster and worse).") var ctSlices = 1600
    @Option(help: "Training epochs for the CT classifier.") var ctEpochs = 14
    @Option(help: "Seed for the CT classifier's slices, initial weights and batch order.") var ctSeed: UInt64 = CTDemoTrainer.Options().seed
    @Option(help: "Optimiser steps (batches of 32³ crops) for the MRI segmenter.") var mriSteps = 900
    @Option(help: "Synthetic 64³ volumes to train the MRI segmenter on.") var mriVolumes = 160
    @Option(help: "libtorch threads while training.") var threads = 2
    @OptionGroup var store: StoreOptions

    public func run() async throws {
        let config = try store.loadConfig(apps: Host.apps, extraFlags: modelRepository.map { ["model_repository": $0] } ?? [:])
        let repository = URL(fileURLWithPath: config.modelRepositoryPath, isDirectory: true)
        guard ["all", "ct", "mri", "biomarker"].contains(only) else { throw ValidationError("--only must be all, ct, mri or biomarker") }
        var versions: [(String, Int)] = []
        // One libtorch runtime for the CT and MRI trainers.
        let torch: TorchRuntime? = only == "biomarker" ? nil : try TorchRuntime()
        torch?.threads = threads
        if let runtime = torch, only == "all" || only == "ct" {
            var options = CTDemoTrainer.Options()
            options.trainingSlices = ctSlices
            options.epochs = ctEpochs
            options.seed = ctSeed
            let result = try CTDemoTrainer(runtime: runtime).train(repository: repository, options: options) { print("  \($0)") }
            let held = result.evaluation
            print("\(CTDemoTrainer.modelName) version \(result.version) → \(result.folder.path) (\(String(format: "%.1f", held.trainingSeconds)) s)")
            print("  held-out (\(held.heldOutSlices) slices): accuracy \(String(format: "%.4f", held.accuracy)), ROC AUC \(String(format: "%.4f", held.rocAUC)), Grad-CAM localisation \(String(format: "%.4f", held.gradCAMLocalisation))")
            versions.append((CTDemoTrainer.modelName, result.version))
        }
        if let runtime = torch, only == "all" || only == "mri" {
            var options = MRIDemoTrainer.Options()
            options.steps = mriSteps
            options.trainingVolumes = mriVolumes
            let result = try MRIDemoTrainer(runtime: runtime).train(repository: repository, options: options) { print("  \($0)") }
            let held = result.evaluation
            print("\(MRIDemoTrainer.modelName) version \(result.version) → \(result.folder.path) (\(String(format: "%.1f", held.trainingSeconds)) s)")
            print("  held-out (\(held.heldOutVolumes) volumes): mean Dice \(String(format: "%.4f", held.meanDice)) (min \(String(format: "%.4f", held.minimumDice))), empty volumes left empty \(held.emptyVolumesCorrect)/\(held.emptyVolumes)")
            versions.append((MRIDemoTrainer.modelName, result.version))
        }
        if only == "all" || only == "biomarker" {
            let trainer = BiomarkerDemoTrainer(library: try XGBoostLibrary())
            let result = try trainer.train(csv: URL(fileURLWithPath: biomarkerData), repository: repository)
            print("\(BiomarkerDemoTrainer.modelName) version \(result.version) → \(result.folder.path)")
            print("  5-fold ROC AUC: \(result.foldAUC.map { String(format: "%.4f", $0) }.joined(separator: " ")) (mean \(String(format: "%.4f", result.meanAUC)))")
            versions.append((BiomarkerDemoTrainer.modelName, result.version))
        }
        try await store.withDatabase(apps: Host.apps, config: config) { database in
            let aliases = SQLModelAliasRepository(db: database.sql)
            for (model, version) in versions {
                try await aliases.set(ModelAlias(model: model, alias: "production", version: version, updatedAt: Date()))
            }
        }
        for (model, version) in versions { print("  \(model): alias production → version \(version)") }
    }
}

/// The imaging app's command-line tools.
public enum ImagingCommands {
    public static func commands<Host: KilnCommandHost>(_ host: Host.Type) -> AppCommands {
        AppCommands(train: [ImagingDemoCommand<Host>.self], datagen: [CTSlicesCommand.self, MRIVolumesCommand.self])
    }
}
