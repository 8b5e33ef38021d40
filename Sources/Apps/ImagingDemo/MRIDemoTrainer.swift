import ImagingApp
import Foundation
import KilnCore
import KilnML
import Torch

/// Trains the demo MRI segmentation model (`MRISegmentationNetwork`) on synthetic volumes with
/// libtorch and writes it into a model repository with its held-out Dice in the metadata.
/// Training uses random crops (a third of them centred on the tumour) of 64³ volumes; held-out
/// volumes are made on a different grid (96×96×80) and go through the same path as an upload —
/// normalise, resample to 64³, segment, resample back — so the Dice measures that whole path.
/// Reproducible: data, initial weights and crop order come from fixed seeds.
public struct MRIDemoTrainer: Sendable {
    public static let modelName = ImagingModels.mriSegmenter
    public static let labels = ImagingModels.mriLabels
    public static let grid = ImagingModels.mriGrid

    public struct Options: Sendable {
        public var trainingVolumes = 160
        public var heldOutVolumes = 24
        public var heldOutDimensions = [96, 96, 80]
        public var steps = 900
        public var batchSize = 4
        public var crop = 32
        public var learningRate = 3e-3
        public var seed: UInt64 = 2026
        public init() {}
    }

    public struct Evaluation: Sendable {
        /// Mean Dice over held-out volumes that have a tumour.
        public var meanDice: Double
        public var minimumDice: Double
        /// Held-out volumes without a tumour whose predicted mask is empty.
        public var emptyVolumesCorrect: Int
        public var emptyVolumes: Int
        public var heldOutVolumes: Int
        public var trainingSeconds: Double
    }

    let runtime: TorchRuntime

    public init(runtime: TorchRuntime) {
        self.runtime = runtime
    }

    public func train(repository: URL, options: Options = Options(), progress: (String) -> Void = { _ in }) throws -> (version: Int, folder: URL, evaluation: Evaluation) {
        let started = ContinuousClock.now
        let training = SyntheticMRVolumes.generate(count: options.trainingVolumes, dimensions: Self.grid, seed: options.seed)
            .map { volume in (image: volume.image.normalisedByQuantiles(), mask: volume.mask, tumour: volume.mask.indices.filter { volume.mask[$0] > 0 }) }
        progress("generated \(training.count) training volumes")
        runtime.manualSeed(options.seed)
        let module = try MRISegmentationNetwork.build(runtime: runtime, seed: options.seed)
        let optimiser = try TorchAdam(module: module, learningRate: options.learningRate)
        var generator = SeededGenerator(state: options.seed &+ 2)
        let crop = options.crop
        var running = 0.0
        for step in 1...options.steps {
            var x = [Float](), y = [Float]()
            x.reserveCapacity(options.batchSize * crop * crop * crop)
            for _ in 0..<options.batchSize {
                let sample = training[Int.random(in: 0..<training.count, using: &generator)]
                let origin = Self.cropOrigin(tumour: sample.tumour, grid: Self.grid, crop: crop, centred: Double.random(in: 0..<1, using: &generator) < 1.0 / 3, generator: &generator)
                Self.appendCrop(image: sample.image.values, mask: sample.mask, grid: Self.grid, at: origin, crop: crop, x: &x, y: &y)
            }
            let shape = [options.batchSize, 1, crop, crop, crop]
            running += try optimiser.step(method: "loss", [.float32(x, shape: shape), .float32(y, shape: shape)])
            if step % 50 == 0 {
                progress("step \(step)/\(options.steps): loss \(String(format: "%.4f", running / 50))")
                running = 0
            }
        }
        module.setTraining(false)
        let heldOut = SyntheticMRVolumes.generate(count: options.heldOutVolumes, dimensions: options.heldOutDimensions, seed: options.seed &+ 1)
        var evaluation = try Self.evaluate(module, on: heldOut)
        evaluation.trainingSeconds = (ContinuousClock.now - started).secondsValue

        let config: JSONValue = .object([
            "platform": "pytorch_libtorch",
            "inputs": .array([.object(["name": "volume", "datatype": "FP32", "shape": .array([.int(-1), .int(1), .int(-1), .int(-1), .int(-1)])])]),
            "outputs": .array([.object(["name": "tumour_probability", "datatype": "FP32", "shape": .array([.int(-1), .int(1), .int(-1), .int(-1), .int(-1)])])]),
            "max_batch_size": .int(0),
            "labels": .array(Self.labels.map(JSONValue.string)),
            "metadata": .object([
                "demo": .bool(true),
                "notice": DemoModelWriter.notice,
                "task": "mri_segmentation",
                "description": "3-D U-Net (8/16/32 channels, instance norm) trained by Kiln on synthetic T1-like head volumes with tumours",
                "preprocessing": .object([
                    "grid": .array(Self.grid.map(JSONValue.int)),
                    "intensity": "1st–99.5th percentile mapped to 0..1, clipped",
                    "resampling": "trilinear to the grid and back to the input's grid",
                ]),
                "threshold": .number(0.5),
                "min_component_fraction": .number(MRIPreprocessing().minComponentFraction),
                "training": .object([
                    "volumes": .int(options.trainingVolumes), "steps": .int(options.steps), "batch_size": .int(options.batchSize),
                    "crop": .int(crop), "learning_rate": .number(options.learningRate), "seed": .int(Int(options.seed)),
                ]),
                "held_out": .object([
                    "volumes": .int(evaluation.heldOutVolumes),
                    "grid": .array(options.heldOutDimensions.map(JSONValue.int)),
                    "mean_dice": DemoModelWriter.rounded(evaluation.meanDice),
                    "min_dice": DemoModelWriter.rounded(evaluation.minimumDice),
                    "empty_volumes_correct": .string("\(evaluation.emptyVolumesCorrect)/\(evaluation.emptyVolumes)"),
                ]),
            ]),
        ])
        let written = try DemoModelWriter.write(name: Self.modelName, repository: repository, config: config) { staging in
            try module.save(to: staging.appendingPathComponent("model.pt").path)
        }
        return (written.version, written.folder, evaluation)
    }

    /// A crop's corner on `grid` (x, y, z): random, or (when `centred`) around a random tumour
    /// voxel (`tumour` holds voxel indices, x fastest). Shared with `MRIRetrainer`.
    static func cropOrigin(tumour: [Int], grid: [Int], crop: Int, centred: Bool, generator: inout SeededGenerator) -> [Int] {
        if centred, !tumour.isEmpty {
            let hit = tumour[Int.random(in: 0..<tumour.count, using: &generator)]
            let voxel = [hit % grid[0], (hit / grid[0]) % grid[1], hit / (grid[0] * grid[1])]
            return (0..<3).map { axis in
                min(grid[axis] - crop, max(0, voxel[axis] - crop / 2 + Int.random(in: -crop / 4...crop / 4, using: &generator)))
            }
        }
        return (0..<3).map { axis in Int.random(in: 0...(grid[axis] - crop), using: &generator) }
    }

    /// Appends the crop of `image` and `mask` at `origin` (z, y, x order, as the network's
    /// [D, H, W]). Shared with `MRIRetrainer`.
    static func appendCrop(image: [Float], mask: [UInt8], grid: [Int], at origin: [Int], crop: Int, x: inout [Float], y: inout [Float]) {
        for z in origin[2]..<(origin[2] + crop) {
            for row in origin[1]..<(origin[1] + crop) {
                let start = (z * grid[1] + row) * grid[0] + origin[0]
                x += image[start..<(start + crop)]
                y += mask[start..<(start + crop)].map(Float.init)
            }
        }
    }

    static func evaluate(_ module: TorchModule, on volumes: [SyntheticMRVolume]) throws -> Evaluation {
        var dice: [Double] = [], empty = 0, emptyCorrect = 0
        for volume in volumes {
            let predicted = try MRISegmenter.segment(normalised: volume.image.normalisedByQuantiles(), module: module, preprocessing: MRIPreprocessing())
            if volume.mask.contains(where: { $0 > 0 }) {
                dice.append(MRISegmenter.dice(predicted, volume.mask))
            } else {
                empty += 1
                if !predicted.contains(where: { $0 > 0 }) { emptyCorrect += 1 }
            }
        }
        return Evaluation(meanDice: dice.reduce(0, +) / Double(max(1, dice.count)), minimumDice: dice.min() ?? 0,
                          emptyVolumesCorrect: emptyCorrect, emptyVolumes: empty, heldOutVolumes: volumes.count, trainingSeconds: 0)
    }
}
