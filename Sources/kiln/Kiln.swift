import ArgumentParser
import KilnCLIKit

@main
struct Kiln: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kiln",
        abstract: "Kiln: a self-hosted AI inference and MLOps server.",
        subcommands: [Serve.self, Keys.self, Migrate.self, Doctor.self, Version.self, Train.self, DataGen.self, Retrain.self]
            + InstalledApps.commands.topLevel,
        defaultSubcommand: nil)
}

/// `kiln train …`: the installed apps' demo trainers.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train Kiln's demo models (labelled as demos, not for clinical use).", subcommands: InstalledApps.commands.train)
}

/// `kiln datagen …`: the installed apps' synthetic data sets.
struct DataGen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "datagen", abstract: "Generate synthetic data sets with a known answer.", subcommands: InstalledApps.commands.datagen)
}
