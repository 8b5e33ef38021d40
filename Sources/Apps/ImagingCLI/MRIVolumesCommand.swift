import ArgumentParser
import Foundation
import ImagingApp
import ImagingDemo
import Nifti

/// `kiln datagen mri-volumes`: synthetic T1-like head volumes as NIfTI (float32, `.nii.gz`)
/// with their true tumour masks (uint8 labels, same geometry) and a `labels.csv`, from the demo
/// segmenter's tumour distribution or a shifted one, for the retraining evaluation
/// (benchmarks/retraining).
struct MRIVolumesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mri-volumes",
        abstract: "Write synthetic head volumes (NIfTI) with their true tumour masks and labels.csv: the demo's tumours or a shifted set (hypointense, non-enhancing).")

    @Option(help: "Volumes to write (one in eight has no tumour).") var count = 20
    @Option(help: "Seed of the volumes.") var seed: UInt64 = 7001
    @Option(help: "Tumours: training (the demo's distribution) or hypointense (darker than grey matter, no necrotic core).") var tumours = "hypointense"
    @Option(help: "Grid, x,y,z voxels.") var dimensions = "96,96,80"
    @Option(help: "Voxel spacing in mm.") var spacing = 2.0
    @Option(help: "Output directory.") var out: String

    func run() throws {
        let distribution: SyntheticMRVolumes.Tumours
        switch tumours {
        case "training": distribution = .training
        case "hypointense": distribution = .hypointense
        default: throw ValidationError("--tumours must be training or hypointense")
        }
        guard (1...10_000).contains(count) else { throw ValidationError("--count must be 1…10000") }
        let grid = dimensions.split(separator: ",").compactMap { Int($0) }
        guard grid.count == 3, grid.allSatisfy({ (8...512).contains($0) }) else { throw ValidationError("--dimensions must be three sizes 8…512, e.g. 96,96,80") }
        guard spacing > 0 && spacing <= 20 else { throw ValidationError("--spacing must be in (0, 20] mm") }
        let folder = URL(fileURLWithPath: out, isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let affine = (0..<3).map { row in (0..<4).map { column in column == row ? spacing : column == 3 ? -spacing * Double(grid[row]) / 2 : 0 } }
        var csv = "file,mask,tumour_voxels\n"
        for (index, volume) in SyntheticMRVolumes.generate(count: count, dimensions: grid, seed: seed, tumours: distribution).enumerated() {
            let name = String(format: "volume-%04d.nii.gz", index), maskName = String(format: "mask-%04d.nii.gz", index)
            let image = try NiftiVolumeWriter.float32(volume.image.values, dimensions: grid, spacing: [spacing, spacing, spacing], affine: affine,
                                                      description: "Kiln synthetic head (\(tumours), seed \(seed))")
            try Data(image).write(to: folder.appendingPathComponent(name))
            let mask = try NiftiLabelMask.encode(volume.mask, like: try NiftiVolume.read(image), description: "true tumour mask")
            try Data(mask).write(to: folder.appendingPathComponent(maskName))
            csv += "\(name),\(maskName),\(volume.mask.reduce(0) { $0 + Int($1) })\n"
        }
        try Data(csv.utf8).write(to: folder.appendingPathComponent("labels.csv"))
        print("wrote \(count) volumes (\(tumours) tumours, seed \(seed), \(grid.map(String.init).joined(separator: "×"))) to \(folder.path)")
    }
}
