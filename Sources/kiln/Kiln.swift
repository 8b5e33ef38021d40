import ArgumentParser

@main
struct Kiln: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kiln",
        abstract: "Kiln: a self-hosted AI inference and MLOps server.",
        subcommands: [Serve.self, Keys.self, Migrate.self, Doctor.self, Version.self] + appCommands,
        defaultSubcommand: nil)
}

extension Kiln {
    /// The installed apps' command-line tools (demo training, synthetic data, local checks).
    static let appCommands: [any ParsableCommand.Type] = [Train.self, DataGen.self, CTRCommands.self]
}
