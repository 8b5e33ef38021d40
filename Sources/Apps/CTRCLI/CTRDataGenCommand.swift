import ArgumentParser
import CTRDemo
import Foundation
import KilnCLIKit

/// `kiln datagen ctr`: the synthetic click-through data set with a known answer.
public struct CTRDataGenCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "ctr",
        abstract: "Synthetic ad impressions with a 2% click rate; the drivers are hour, age_group, device, ad_position and a device×hour interaction, every other column is noise (see README).")

    @Option(help: "Rows to generate.") var rows = 60_000
    @Option(help: "Columns in all, the 'clicked' label included (at least 5).") var columns = 119
    @Option(help: "Random seed; the same seed gives the same file.") var seed: UInt64 = 0
    @Option(help: "Write the CSV here instead of standard output.") var output: String?
    @Option(help: "Also write the feature,description mapping (Korean names) here.") var mapping: String?

    public init() {}

    public func run() throws {
        let generator = try CTRDataGenerator(rows: rows, columns: columns, seed: seed)
        let handle: FileHandle
        if let output {
            guard FileManager.default.createFile(atPath: output, contents: nil) else { throw ValidationError("cannot create \(output)") }
            handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        } else {
            handle = FileHandle.standardOutput
        }
        try generator.generate { bytes in try handle.write(contentsOf: bytes) }
        if output != nil { try handle.close() }
        if let mapping { try generator.mappingCSV().write(toFile: mapping, atomically: true, encoding: .utf8) }
    }
}

/// The CTR app's command-line tools.
public enum CTRCommands {
    public static let commands = AppCommands(datagen: [CTRDataGenCommand.self], topLevel: [CTRToolsCommand.self])
}
