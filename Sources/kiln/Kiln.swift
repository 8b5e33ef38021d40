import ArgumentParser

@main
struct Kiln: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kiln",
        abstract: "Kiln: a self-hosted AI inference and MLOps server.",
        subcommands: [Serve.self, Keys.self, Migrate.self, Doctor.self, DataGen.self, Train.self, CTRCommands.self, Version.self],
        defaultSubcommand: nil)
}
