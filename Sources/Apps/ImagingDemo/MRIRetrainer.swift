import Crypto
import Foundation
import ImagingApp
import KilnCore
import KilnFeedback
import KilnML
import KilnRetraining
import KilnServing
import Nifti
import Torch

/// Retrains the MRI segmenter from reviews: fine-tunes the serving 3-D U-Net (`loss`: BCE +
/// soft Dice) on 32³ crops of the reviewed volumes with their corrected masks (or, for a
/// confirmed segmentation, the model's own mask), every batch half reviewed crops and half
/// crops of the demo's original training volumes (regenerated from the seed in its metadata),
/// so it learns the reviewers' tumours without forgetting the old ones. Volumes are resampled
/// to the model's grid as the segmenter does; scored by Dice on each volume's own grid (1 for a
/// volume without tumour that is predicted empty).
public struct MRIRetrainer: ModelRetrainer {
    public let model = ImagingModels.mriSegmenter
    public let metric = RetrainingMetric.dice
    public let decisions: Set<ReviewRecord.Decision> = [.confirm, .correctMask]
    static let defaultEpochs = 10
    static let stepsPerEpoch = 50
    /// Tried on 7 hypointense volumes: 3e-3 learned the shift faster but the Dice on volumes of
    /// the training distribution swung between 0.43 and 0.81 from one 100-step check to the
    /// next; at 2e-3 with more reviewed crops per batch it fell to 0.61 (mri_eval.py).
    static let defaultLearningRate = 1e-3
    /// Batch slots given to reviewed crops (the rest are original ones).
    static let reviewedSlots = 2
    static let batchSize = 4
    static let crop = 32
    /// The first volumes of the demo's training set kept in every fine-tuning batch.
    static let originalVolumes = 48

    let torch: @Sendable () throws -> TorchRuntime

    public init(torch: @escaping @Sendable () throws -> TorchRuntime) {
        self.torch = torch
    }

    /// A volume normalised as the segmenter sees it, with its true mask, on one grid.
    struct Case {
        var image: FloatVolume
        var mask: [UInt8]
        var tumour: [Int]

        init(image: FloatVolume, mask: [UInt8]) {
            self.image = image
            self.mask = mask
            tumour = mask.indices.filter { mask[$0] > 0 }
        }

        /// The case on `grid`: the image trilinear, the mask trilinear and thresholded at ½.
        func resampled(to grid: [Int]) -> Case {
            guard image.dimensions != grid else { return self }
            let mask = FloatVolume(dimensions: image.dimensions, values: self.mask.map(Float.init)).resampled(to: grid)
            return Case(image: image.resampled(to: grid), mask: mask.values.map { $0 >= 0.5 ? 1 : 0 })
        }
    }

    public func train(from champion: RetrainingVersion, cases: [RetrainingCase], options: RetrainingOptions,
                      into staging: URL, session: RetrainingSession) async throws {
        let runtime = try torch()
        let grid = try MRIPreprocessing(config: champion.config).grid
        let crop = min(Self.crop, grid.min() ?? Self.crop)
        let reviewed = try volumes(cases, session: session).map { $0.resampled(to: grid) }
        guard !reviewed.isEmpty else { throw KilnError.invalidArgument("no reviewed segmentation has both its volume and a mask stored") }
        let original = try Self.originalTraining(champion, grid: grid)
        let module = try runtime.loadModule(path: champion.folder.appendingPathComponent("model.pt").path)
        guard module.hasMethod("loss") else {
            throw KilnError.invalidArgument("the serving MRI model has no 'loss' method to fine-tune with; retrain the demo with `kiln train imaging-demo --only mri`")
        }
        let seed = options.seed ?? 0
        runtime.manualSeed(seed)
        module.setTraining(true)
        let epochs = options.epochs ?? Self.defaultEpochs
        let rate = options.learningRate ?? Self.defaultLearningRate
        let optimiser = try TorchAdam(module: module, learningRate: rate)
        var generator = SeededGenerator(state: seed &+ 11)
        let shape = [Self.batchSize, 1, crop, crop, crop]
        for epoch in 1...epochs {
            try session.checkCancellation()
            var total = 0.0
            for _ in 0..<Self.stepsPerEpoch {
                var x = [Float](), y = [Float]()
                x.reserveCapacity(shape.reduce(1, *))
                y.reserveCapacity(shape.reduce(1, *))
                for slot in 0..<Self.batchSize {
                    // Half the batch reviewed (half of those centred on the tumour), half original.
                    let fromReviews = slot < Self.reviewedSlots
                    let pool = fromReviews ? reviewed : original
                    let sample = pool[Int.random(in: 0..<pool.count, using: &generator)]
                    let centred = Double.random(in: 0..<1, using: &generator) < (fromReviews ? 0.5 : 1.0 / 3)
                    let origin = MRIDemoTrainer.cropOrigin(tumour: sample.tumour, grid: grid, crop: crop, centred: centred, generator: &generator)
                    MRIDemoTrainer.appendCrop(image: sample.image.values, mask: sample.mask, grid: grid, at: origin, crop: crop, x: &x, y: &y)
                }
                total += try optimiser.step(method: "loss", [.float32(x, shape: shape), .float32(y, shape: shape)])
            }
            let loss = total / Double(Self.stepsPerEpoch)
            await session.logMetric("train_loss", loss, step: epoch)
            await session.progress(Double(epoch) / Double(epochs), "epoch \(epoch)/\(epochs): loss \(String(format: "%.4f", loss))")
        }
        module.setTraining(false)
        try module.save(to: staging.appendingPathComponent("model.pt").path)
        var metadata = champion.metadata
        // The serving version's held-out figures are not this version's; the set stays described.
        if case .object(var held)? = metadata["held_out"] {
            for key in ["mean_dice", "min_dice", "empty_volumes_correct"] { held[key] = nil }
            metadata["held_out"] = .object(held)
        }
        metadata["fine_tuning"] = .object([
            "from_version": .int(champion.number ?? 0), "reviewed_volumes": .int(reviewed.count),
            "original_volumes": .int(original.count), "epochs": .int(epochs), "steps_per_epoch": .int(Self.stepsPerEpoch),
            "batch_size": .int(Self.batchSize), "crop": .int(crop), "learning_rate": .number(rate), "seed": .int(Int(seed)),
        ])
        try Data(JSONValue.object(["metadata": .object(metadata)]).jsonBytes).write(to: staging.appendingPathComponent("config.json"))
    }

    public func evaluate(_ versions: [RetrainingVersion], cases: [RetrainingCase], session: RetrainingSession) async throws -> [[CaseOutcome]] {
        let volumes = try volumes(cases, session: session)
        return try versions.map { try score($0, volumes) }
    }

    public func evaluateOriginal(_ versions: [RetrainingVersion], session: RetrainingSession) async throws -> HeldOutOutcomes? {
        guard let (seed, count, grid) = Self.heldOut(versions[0]) else { return nil }
        let volumes = SyntheticMRVolumes.generate(count: count, dimensions: grid, seed: seed)
            .map { Case(image: $0.image.normalisedByQuantiles(), mask: $0.mask) }
        let digest = SHA256.hash(data: Data(volumes.flatMap(\.image.values).withUnsafeBufferPointer { Array(UnsafeRawBufferPointer($0)) })).hexString
        return HeldOutOutcomes(description: "the demo's held-out synthetic head volumes (\(count), \(grid.map(String.init).joined(separator: "×")), seed \(seed))",
                               sha256: digest, outcomes: try versions.map { try score($0, volumes) })
    }

    /// Dice of the version's segmentation of each volume, on the volume's own grid.
    func score(_ version: RetrainingVersion, _ volumes: [Case]) throws -> [CaseOutcome] {
        let module = try torch().loadModule(path: version.folder.appendingPathComponent("model.pt").path)
        module.setTraining(false)
        let preprocessing = try MRIPreprocessing(config: version.config)
        let labels = preprocessing.labels
        return try volumes.map { volume in
            let predicted = try MRISegmenter.segment(normalised: volume.image, module: module, preprocessing: preprocessing)
            return CaseOutcome(label: labels[volume.tumour.isEmpty ? 0 : 1], predicted: labels[predicted.contains { $0 > 0 } ? 1 : 0],
                               dice: MRISegmenter.dice(predicted, volume.mask))
        }
    }

    /// The reviewed volumes, normalised, with the reviewer's mask (a corrected one, or the
    /// model's own when the segmentation was confirmed), each on its own grid.
    func volumes(_ cases: [RetrainingCase], session: RetrainingSession) throws -> [Case] {
        var volumes: [Case] = []
        for item in cases {
            let maskSHA256: String?
            if item.decision == .correctMask {
                maskSHA256 = item.maskSHA256
            } else if case .object(let output) = item.prediction.output, case .string(let sha)? = output["mask_sha256"] {
                maskSHA256 = sha
            } else {
                maskSHA256 = nil
            }
            guard let input = item.prediction.inputSHA256, let maskSHA256 else { continue }
            let volume = try NiftiVolume.read([UInt8](try session.blob(input)))
            let mask = try NiftiVolume.read([UInt8](try session.blob(maskSHA256)))
            let voxels = volume.dimensions.prefix(3).reduce(1, *)
            guard mask.dimensions.prefix(3) == volume.dimensions.prefix(3), mask.values.count >= voxels, volume.values.count >= voxels else { continue }
            let image = FloatVolume(dimensions: Array(volume.dimensions.prefix(3)), values: Array(volume.values.prefix(voxels)))
            volumes.append(Case(image: image.normalisedByQuantiles(), mask: mask.values.prefix(voxels).map { $0 > 0 ? 1 : 0 }))
        }
        return volumes
    }

    /// The first volumes of the demo's training set, from the seed its metadata records.
    static func originalTraining(_ version: RetrainingVersion, grid: [Int]) throws -> [Case] {
        guard case .object(let training)? = version.metadata["training"], case .number(let seed)? = training["seed"] else {
            throw KilnError.invalidArgument("the serving MRI model's metadata names no training seed: its original data cannot be regenerated")
        }
        return SyntheticMRVolumes.generate(count: originalVolumes, dimensions: grid, seed: UInt64(seed))
            .map { Case(image: $0.image.normalisedByQuantiles(), mask: $0.mask) }
    }

    /// The demo's held-out set: seed + 1, with the count and grid its metadata records.
    static func heldOut(_ version: RetrainingVersion) -> (UInt64, Int, [Int])? {
        guard case .object(let training)? = version.metadata["training"], case .number(let seed)? = training["seed"] else { return nil }
        var count = MRIDemoTrainer.Options().heldOutVolumes, grid = MRIDemoTrainer.Options().heldOutDimensions
        if case .object(let held)? = version.metadata["held_out"] {
            if case .number(let volumes)? = held["volumes"] { count = Int(volumes) }
            if case .array(let values)? = held["grid"] {
                let sizes = values.compactMap { value -> Int? in if case .number(let n) = value { Int(n) } else { nil } }
                if sizes.count == 3, sizes.allSatisfy({ (8...256).contains($0) }) { grid = sizes }
            }
        }
        return (UInt64(seed) &+ 1, count, grid)
    }
}
