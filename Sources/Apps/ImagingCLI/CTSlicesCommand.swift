import ArgumentParser
import Foundation
import ImageCodec
import ImagingApp
import ImagingDemo

/// `kiln datagen ct-slices`: synthetic CT slices as 8-bit PNGs (windowed as the demo model
/// expects, abdomen 40/400) with a `labels.csv`, from the demo's lesion distribution or a
/// shifted one, for the retraining evaluation (benchmarks/retraining).
struct CTSlicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ct-slices",
        abstract: "Write synthetic CT slices (PNG, windowed) and labels.csv: the demo's training distribution or a shifted one (small, faint lesions).")

    @Option(help: "Slices to write (half with a lesion).") var count = 200
    @Option(help: "Seed of the slices.") var seed: UInt64 = 9001
    @Option(help: "Lesions: training (the demo's distribution) or small-faint (radius 0.02–0.035 of the side, contrast 45–75 HU).") var lesions = "small-faint"
    @Option(help: "Output directory.") var out: String

    func run() throws {
        guard (1...100_000).contains(count) else { throw ValidationError("--count must be 1…100000") }
        let distribution: SyntheticCTSlices.Lesions
        switch lesions {
        case "training": distribution = .training
        case "small-faint": distribution = .smallFaint
        default: throw ValidationError("--lesions must be training or small-faint")
        }
        let folder = URL(fileURLWithPath: out, isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var csv = "file,label\n"
        for (index, slice) in SyntheticCTSlices.generate(count: count, seed: seed, lesions: distribution).enumerated() {
            let pixels = ImagingModels.ctWindow.apply(slice.hounsfield.values).map { UInt8(max(0, min(255, ($0 * 255).rounded()))) }
            let name = String(format: "slice-%04d.png", index)
            try ImageCodec.png(pixels: pixels, width: slice.hounsfield.width, height: slice.hounsfield.height, channels: 1)
                .write(to: folder.appendingPathComponent(name))
            csv += "\(name),\(slice.lesion == nil ? ImagingModels.ctLabels[0] : ImagingModels.ctLabels[1])\n"
        }
        try Data(csv.utf8).write(to: folder.appendingPathComponent("labels.csv"))
        print("wrote \(count) slices (\(lesions) lesions, seed \(seed)) to \(folder.path)")
    }
}
