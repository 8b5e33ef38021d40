import ArgumentParser
import CTRApp
import CTRDemo
import Foundation

struct DataGen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "datagen", abstract: "Generate synthetic data sets with a known answer.", subcommands: [CTR.self])

    struct CTR: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Synthetic ad impressions with a 2% click rate; the drivers are hour, age_group, device, ad_position and a device×hour interaction, every other column is noise (see README).")

        @Option(help: "Rows to generate.") var rows = 60_000
        @Option(help: "Columns in all, the 'clicked' label included (at least 5).") var columns = 119
        @Option(help: "Random seed; the same seed gives the same file.") var seed: UInt64 = 0
        @Option(help: "Write the CSV here instead of standard output.") var output: String?
        @Option(help: "Also write the feature,description mapping (Korean names) here.") var mapping: String?

        func run() throws {
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
}
