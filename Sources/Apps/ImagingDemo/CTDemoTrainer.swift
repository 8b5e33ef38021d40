import ImagingApp
import Foundation
import KilnCore
import KilnML
import Torch

/// Trains the demo CT classifier on synthetic slices with libtorch and writes it into a model
/// repository with its held-out accuracy, ROC AUC and Grad-CAM localisation in the metadata.
/// Reproducible: the data, the initial weights and the batch order all come from fixed seeds.
public struct CTDemoTrainer: Sendable {
    public static let modelName = ImagingModels.ctClassifier
    public static let labels = ImagingModels.ctLabels
    /// The window the demo model was trained with (abdomen: 40 ± 200 HU).
    public static let window = ImagingModels.ctWindow

    public struct Options: Sendable {
        public var trainingSlices = 1600
        public var heldOutSlices = 400
        public var epochs = 14
        public var batchSize = 32
        public var learningRate = 3e-3
        public var seed: UInt64 = 2026
        public init() {}
    }

    public struct Evaluation: Sendable {
        public var accuracy: Double
        public var rocAUC: Double
        /// Fraction of held-out lesion slices whose heatmap peak lies inside the lesion.
        public var gradCAMLocalisation: Double
        public var heldOutSlices: Int
        public var trainingSeconds: Double
    }

    let runtime: TorchRuntime

    public init(runtime: TorchRuntime) {
        self.runtime = runtime
    }

    public func train(repository: URL, options: Options = Options(), progress: (String) -> Void = { _ in }) throws -> (version: Int, folder: URL, evaluation: Evaluation) {
        let started = ContinuousClock.now
        let size = CTClassifierNetwork.inputSize
        let training = SyntheticCTSlices.generate(count: options.trainingSlices, size: size, seed: options.seed)
        let heldOut = SyntheticCTSlices.generate(count: options.heldOutSlices, size: size, seed: options.seed &+ 1)
        let inputs = training.map { Self.window.apply($0.hounsfield.values) }
        runtime.manualSeed(options.seed)
        let module = try CTClassifierNetwork.build(runtime: runtime, seed: options.seed)
        let optimiser = try TorchAdam(module: module, learningRate: options.learningRate)
        var generator = SeededGenerator(state: options.seed &+ 2)
        let pixels = size * size
        let cells = size / CTClassifierNetwork.cellSize
        let cellTargets = training.map { CTClassifierNetwork.cellTargets(lesion: $0.lesion, size: size) }
        for epoch in 1...options.epochs {
            var order = Array(training.indices)
            order.shuffle(using: &generator)
            var total = 0.0, batches = 0
            for start in stride(from: 0, to: order.count, by: options.batchSize) {
                let batch = order[start..<min(order.count, start + options.batchSize)]
                var x = [Float](), y = [Float](), m = [Float]()
                x.reserveCapacity(batch.count * pixels)
                m.reserveCapacity(batch.count * cells * cells)
                for index in batch {
                    x += inputs[index]
                    y += training[index].lesion == nil ? [1, 0] : [0, 1]
                    m += cellTargets[index]
                }
                total += try optimiser.step(method: "loss", [.float32(x, shape: [batch.count, 1, size, size]), .float32(y, shape: [batch.count, 2]),
                                                              .float32(m, shape: [batch.count, 1, cells, cells])])
                batches += 1
            }
            progress("epoch \(epoch)/\(options.epochs): loss \(String(format: "%.4f", total / Double(batches)))")
        }
        module.setTraining(false)
        var evaluation = try Self.evaluate(module, on: heldOut)
        evaluation.trainingSeconds = (ContinuousClock.now - started).secondsValue

        let config: JSONValue = .object([
            "platform": "pytorch_libtorch",
            "inputs": .array([.object(["name": "slice", "datatype": "FP32", "shape": .array([.int(-1), .int(1), .int(size), .int(size)])])]),
            "outputs": .array([.object(["name": "probabilities", "datatype": "FP32", "shape": .array([.int(-1), .int(2)])])]),
            "max_batch_size": .int(16),
            // Concurrent slices without a heatmap share one forward; a lone slice runs at once
            // (the planner never waits while nothing executes), so c=1 latency is unchanged.
            "dynamic_batching": .object(["max_queue_delay_us": .int(1000)]),
            "labels": .array(Self.labels.map(JSONValue.string)),
            "metadata": .object([
                "demo": .bool(true),
                "notice": DemoModelWriter.notice,
                "description": "fully convolutional CNN (four 3×3 conv layers, the last dilated, and a 1×1 one to a lesion-evidence map whose maximum is the lesion logit) trained by Kiln on synthetic CT-like slices with and without round lesions, with the lesion masks as per-cell targets",
                "preprocessing": .object([
                    "size": .array([.int(size), .int(size)]),
                    "window": .object(["center": .number(Self.window.center), "width": .number(Self.window.width)]),
                    "scale": "window mapped to 0..1 (MONOCHROME1 inverted), then resized",
                ]),
                "gradcam_method": .string(CTClassifierNetwork.gradCAMMethod),
                "training": .object([
                    "slices": .int(options.trainingSlices), "epochs": .int(options.epochs), "batch_size": .int(options.batchSize),
                    "learning_rate": .number(options.learningRate), "seed": .int(Int(options.seed)),
                ]),
                "held_out": .object([
                    "slices": .int(evaluation.heldOutSlices),
                    "accuracy": DemoModelWriter.rounded(evaluation.accuracy),
                    "roc_auc": DemoModelWriter.rounded(evaluation.rocAUC),
                    "gradcam_localisation": DemoModelWriter.rounded(evaluation.gradCAMLocalisation),
                ]),
            ]),
        ])
        let written = try DemoModelWriter.write(name: Self.modelName, repository: repository, config: config) { staging in
            try module.save(to: staging.appendingPathComponent("model.pt").path)
        }
        return (written.version, written.folder, evaluation)
    }

    /// Accuracy and ROC AUC over `slices`, and how often the Grad-CAM peak (upsampled to the
    /// slice, as the overlay shows it) lands inside the lesion of a slice that has one.
    static func evaluate(_ module: TorchModule, on slices: [SyntheticCTSlice]) throws -> Evaluation {
        var scores: [Float] = [], labels: [Float] = []
        var correct = 0, positives = 0, localised = 0
        for slice in slices {
            let input = FloatImage(width: slice.hounsfield.width, height: slice.hounsfield.height, values: window.apply(slice.hounsfield.values))
            let explanation = try CTExplainer.explain(module, input: input, gradCAMMethod: CTClassifierNetwork.gradCAMMethod)
            let label = slice.lesion == nil ? 0 : 1
            scores.append(explanation.probabilities[1])
            labels.append(Float(label))
            if explanation.predictedClass == label { correct += 1 }
            guard let lesion = slice.lesion else { continue }
            positives += 1
            // Grad-CAM explains the predicted class; for localisation, explain "lesion" itself.
            let map = explanation.predictedClass == 1 ? explanation.heatmap
                : try CTExplainer.explain(module, input: input, gradCAMMethod: CTClassifierNetwork.gradCAMMethod, classIndex: 1).heatmap
            let peak = map.resized(width: input.width, height: input.height).peak()
            if lesion[peak.y * input.width + peak.x] { localised += 1 }
        }
        return Evaluation(accuracy: Double(correct) / Double(slices.count), rocAUC: BinaryMetrics.auc(probabilities: scores, labels: labels),
                          gradCAMLocalisation: positives > 0 ? Double(localised) / Double(positives) : 0, heldOutSlices: slices.count, trainingSeconds: 0)
    }
}
