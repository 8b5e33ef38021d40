import ArgumentParser
import CTRApp
import Foundation
import KilnCore
import KilnML

/// `kiln ctr check FILE`: the upload's checks on a local file, before sending it anywhere.
public struct CTRToolsCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "ctr", abstract: "CTR analytics tools that work on local files.", subcommands: [Check.self])

    public init() {}

    public struct Check: ParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Check a CSV the way POST /api/upload does; prints the validation as JSON and exits 1 when it is not trainable.")

        @Argument(help: "The CSV file.") var file: String
        @Flag(help: "Also print how long reading and checking took (elapsed_ms), measured inside the process.") var timing = false

        struct Answer: Encodable {
            var rows: Int
            var columns: [String]
            var validation: CTRDataset.Validation
            var info: CTRDataset.Info
            var elapsedMs: Double?

            enum CodingKeys: String, CodingKey {
                case rows, columns, validation, info
                case elapsedMs = "elapsed_ms"
            }
        }

        public init() {}

        public func run() throws {
            let clock = ContinuousClock()
            let started = clock.now
            let dataset: CTRDataset
            do {
                dataset = try CTRDataset(csv: MappedFile.data(at: URL(fileURLWithPath: file)))
            } catch let error as CSVTable.ParseError {
                throw ValidationError("\(file) is not a readable CSV: \(error)")
            }
            let milliseconds = (clock.now - started).millisecondsValue
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let answer = Answer(rows: dataset.info.totalRows, columns: dataset.header, validation: dataset.validation, info: dataset.info,
                                elapsedMs: timing ? (milliseconds * 100).rounded() / 100 : nil)
            print(String(decoding: try encoder.encode(answer), as: UTF8.self))
            if !dataset.validation.isValid { throw ExitCode(1) }
        }
    }
}
