import Crypto
import Dicom
import Foundation
import ImagingApp
import KilnCore
import KilnFeedback
import KilnML
import KilnRetraining
import KilnServing
import Torch

/// Retrains the CT classifier from reviews: fine-tunes the serving TorchScript module on the
/// reviewed slices (label only, `label_loss`) interleaved with slices of its original
/// training data (regenerated from the seed in its metadata, with their lesion masks, `loss`),
/// so it learns the reviewers' cases without forgetting the old ones. Scored by accuracy; the
/// original held-out set is the demo's held-out slices (seed + 1).
public struct CTRetrainer: ModelRetrainer {
    public let model = ImagingModels.ctClassifier
    public let metric = RetrainingMetric.accuracy
    public let decisions: Set<ReviewRecord.Decision> = [.confirm, .correct]
    static let defaultEpochs = 6
    static let defaultLearningRate = 1e-3
    static let originalSlices = 800
    static let batchSize = 32

    let torch: @Sendable () throws -> TorchRuntime
    let dicom: DicomEngine

    public init(torch: @escaping @Sendable () throws -> TorchRuntime, dicom: DicomEngine = DicomEngine()) {
        self.torch = torch
        self.dicom = dicom
    }

    struct Slices {
        var inputs: [[Float]]
        var targets: [Int]
    }

    public func train(from champion: RetrainingVersion, cases: [RetrainingCase], options: RetrainingOptions,
                      into staging: URL, session: RetrainingSession) async throws {
        let runtime = try torch()
        let labels = champion.config.labels ?? ImagingModels.ctLabels
        let reviewed = try inputs(cases, config: champion.config, labels: labels, session: session)
        let seed = options.seed ?? 0
        let (original, cells) = try Self.originalTraining(champion, labels: labels)
        let module = try runtime.loadModule(path: champion.folder.appendingPathComponent("model.pt").path)
        guard module.hasMethod("loss"), module.hasMethod("label_loss") else {
            throw KilnError.invalidArgument("the serving CT model has no 'loss' and 'label_loss' methods to fine-tune with; retrain the demo with `kiln train imaging-demo --only ct`")
        }
        runtime.manualSeed(seed)
        module.setTraining(true)
        let epochs = options.epochs ?? Self.defaultEpochs
        let optimiser = try TorchAdam(module: module, learningRate: options.learningRate ?? Self.defaultLearningRate)
        var generator = SeededGenerator(state: seed &+ 7)
        let size = CTClassifierNetwork.inputSize, grid = size / CTClassifierNetwork.cellSize
        func batch(_ indices: ArraySlice<Int>, _ slices: Slices) -> (Tensor, Tensor) {
            var x = [Float](), y = [Float]()
            for index in indices {
                x += slices.inputs[index]
                y += labels.indices.map { Float($0 == slices.targets[index] ? 1 : 0) }
            }
            return (.float32(x, shape: [indices.count, 1, size, size]), .float32(y, shape: [indices.count, labels.count]))
        }
        for epoch in 1...epochs {
            try session.checkCancellation()
            var reviewedOrder = Array(reviewed.inputs.indices), originalOrder = Array(original.inputs.indices)
            reviewedOrder.shuffle(using: &generator)
            originalOrder.shuffle(using: &generator)
            let steps = (originalOrder.count + Self.batchSize - 1) / Self.batchSize
            var total = 0.0
            for step in 0..<steps {
                // One batch of reviewed slices (cycled) and one of original slices per step.
                let r = (0..<min(Self.batchSize, reviewedOrder.count)).map { reviewedOrder[(step * Self.batchSize + $0) % reviewedOrder.count] }
                let (rx, ry) = batch(r[...], reviewed)
                total += try optimiser.step(method: "label_loss", [rx, ry])
                let o = originalOrder[(step * Self.batchSize)..<min(originalOrder.count, (step + 1) * Self.batchSize)]
                let (ox, oy) = batch(o, original)
                let m = o.flatMap { cells[$0] }
                total += try optimiser.step(method: "loss", [ox, oy, .float32(m, shape: [o.count, 1, grid, grid])])
            }
            let loss = total / Double(2 * steps)
            await session.logMetric("train_loss", loss, step: epoch)
            await session.progress(Double(epoch) / Double(epochs), "epoch \(epoch)/\(epochs): loss \(String(format: "%.4f", loss))")
        }
        module.setTraining(false)
        try module.save(to: staging.appendingPathComponent("model.pt").path)
        var metadata = champion.metadata
        metadata["held_out"] = nil
        metadata["fine_tuning"] = .object([
            "from_version": .int(champion.number ?? 0), "reviewed_slices": .int(reviewed.inputs.count),
            "original_slices": .int(original.inputs.count), "epochs": .int(epochs),
            "learning_rate": .number(options.learningRate ?? Self.defaultLearningRate), "seed": .int(Int(seed)),
        ])
        try Data(JSONValue.object(["metadata": .object(metadata)]).jsonBytes).write(to: staging.appendingPathComponent("config.json"))
    }

    public func evaluate(_ versions: [RetrainingVersion], cases: [RetrainingCase], session: RetrainingSession) async throws -> [[CaseOutcome]] {
        let labels = versions[0].config.labels ?? ImagingModels.ctLabels
        let slices = try inputs(cases, config: versions[0].config, labels: labels, session: session)
        return try versions.map { try score($0, slices, labels: labels) }
    }

    public func evaluateOriginal(_ versions: [RetrainingVersion], session: RetrainingSession) async throws -> HeldOutOutcomes? {
        guard let (seed, count) = Self.heldOut(versions[0]) else { return nil }
        let labels = versions[0].config.labels ?? ImagingModels.ctLabels
        let generated = SyntheticCTSlices.generate(count: count, size: CTClassifierNetwork.inputSize, seed: seed)
        let slices = Slices(inputs: generated.map { ImagingModels.ctWindow.apply($0.hounsfield.values) },
                            targets: generated.map { $0.lesion == nil ? 0 : labels.count - 1 })
        let digest = SHA256.hash(data: Data(slices.inputs.flatMap { $0 }.withUnsafeBufferPointer { Array(UnsafeRawBufferPointer($0)) })).hexString
        return HeldOutOutcomes(description: "the demo's held-out synthetic CT slices (\(count), seed \(seed))", sha256: digest,
                               outcomes: try versions.map { try score($0, slices, labels: labels) })
    }

    func score(_ version: RetrainingVersion, _ slices: Slices, labels: [String]) throws -> [CaseOutcome] {
        let module = try torch().loadModule(path: version.folder.appendingPathComponent("model.pt").path)
        module.setTraining(false)
        let size = CTClassifierNetwork.inputSize
        var outcomes: [CaseOutcome] = []
        for start in stride(from: 0, to: slices.inputs.count, by: Self.batchSize) {
            let end = min(slices.inputs.count, start + Self.batchSize)
            let x = slices.inputs[start..<end].flatMap { $0 }
            let probabilities = try module.forward([.float32(x, shape: [end - start, 1, size, size])])[0].float32Values()
            for row in 0..<(end - start) {
                let p = Array(probabilities[(row * labels.count)..<((row + 1) * labels.count)])
                outcomes.append(CaseOutcome(label: labels[slices.targets[start + row]], predicted: labels[CTExplainer.argmax(p)],
                                            score: Double(p[labels.count - 1])))
            }
        }
        return outcomes
    }

    /// The reviewed slices as the model saw them, with the reviewers' labels.
    func inputs(_ cases: [RetrainingCase], config: ModelConfig, labels: [String], session: RetrainingSession) throws -> Slices {
        var slices = Slices(inputs: [], targets: [])
        for item in cases {
            guard let sha = item.prediction.inputSHA256, let target = labels.firstIndex(of: item.label) else { continue }
            let image = try CTStoredInput.modelInput(try session.blob(sha), config: config, output: item.prediction.output, dicom: dicom)
            slices.inputs.append(image.values)
            slices.targets.append(target)
        }
        return slices
    }

    /// The demo's training slices from the seed its metadata records, with per-cell lesion targets.
    static func originalTraining(_ version: RetrainingVersion, labels: [String]) throws -> (Slices, [[Float]]) {
        guard case .object(let training)? = version.metadata["training"], case .number(let seed)? = training["seed"] else {
            throw KilnError.invalidArgument("the serving CT model's metadata names no training seed: its original data cannot be regenerated")
        }
        let size = CTClassifierNetwork.inputSize
        let generated = SyntheticCTSlices.generate(count: originalSlices, size: size, seed: UInt64(seed))
        let slices = Slices(inputs: generated.map { ImagingModels.ctWindow.apply($0.hounsfield.values) },
                            targets: generated.map { $0.lesion == nil ? 0 : labels.count - 1 })
        return (slices, generated.map { CTClassifierNetwork.cellTargets(lesion: $0.lesion, size: size) })
    }

    /// The demo's held-out set: seed + 1, as many slices as its metadata says.
    static func heldOut(_ version: RetrainingVersion) -> (UInt64, Int)? {
        guard case .object(let training)? = version.metadata["training"], case .number(let seed)? = training["seed"] else { return nil }
        var count = 400
        if case .object(let held)? = version.metadata["held_out"], case .number(let slices)? = held["slices"] { count = Int(slices) }
        return (UInt64(seed) &+ 1, count)
    }
}
