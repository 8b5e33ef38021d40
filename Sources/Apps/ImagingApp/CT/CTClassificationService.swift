import Dicom
import Foundation
import ImageCodec
import KilnCore
import KilnFeedback
import KilnML
import KilnServing
import KilnStore
import Torch

/// `POST /predict/ct_classification`: classifies one slice (DICOM, PNG or JPEG) with a
/// TorchScript classifier and explains the answer with Grad-CAM. The prediction is stored with
/// the model version and the de-identified input, so that a clinician can review it.
public struct CTClassificationService: Sendable {
    public static let defaultModel = "\(ImagingModels.ctClassifier)@production"
    public static let task = "ct_classification"
    /// The overlay PNG is drawn at the slice's size, shrunk to at most this many pixels a side.
    static let overlayMaxSide = 512

    let registry: ModelRegistry
    let inference: InferenceService
    let archive: PredictionArchive
    let decoder: CTInputDecoder

    public init(registry: ModelRegistry, inference: InferenceService, archive: PredictionArchive, dicom: DicomEngine = DicomEngine(), keepIdentifiers: Bool = false) {
        self.registry = registry
        self.inference = inference
        self.archive = archive
        self.decoder = CTInputDecoder(dicom: dicom, keepIdentifiers: keepIdentifiers)
    }

    public struct Options: Sendable {
        public var window: String?
        public var returnHeatmap = true
        public var model: String?
        public var frame: Int?
        public init() {}
    }

    public func classify(_ upload: Data, options: Options, actor: String) async throws -> JSONValue {
        var stages = StageClock()
        let window = try options.window.map { text -> DisplayWindow in
            guard let window = DisplayWindow(parsing: text) else {
                throw KilnError.invalidArgument("window must be brain, lung, abdomen, bone, or 'center,width' with a positive width; got '\(text.prefix(64))'")
            }
            return window
        }
        let loaded = try await registry.resolveLoading(options.model ?? Self.defaultModel)
        guard loaded.config.platform == .pytorchLibtorch else {
            throw KilnError.invalidArgument("model '\(loaded.name)' is not a TorchScript model; CT classification runs TorchScript classifiers")
        }
        let preprocessing = CTPreprocessing(config: loaded.config)
        let predictionID = PredictionArchive.newPredictionID()

        let slice = try decoder.decode(upload, window: window, modelWindow: preprocessing.window, frame: options.frame,
                                       pseudonym: "KILN-" + predictionID.prefix(8))
        stages.lap("decode")
        let input = slice.display.resized(width: preprocessing.width, height: preprocessing.height)
        stages.lap("preprocess")

        let gradCAMMethod = preprocessing.gradCAMMethod
        let explain = options.returnHeatmap
        let result: CTExplanation
        if explain {
            // Grad-CAM is one backward pass per slice through the module's named method: a
            // counted, bounded request on the model's threads, not batched with others.
            result = try await loaded.scheduler.perform((any TorchScriptMethods).self) { torch in
                do {
                    return try CTExplainer.explain(torch.module, input: input, gradCAMMethod: gradCAMMethod)
                } catch let error as TorchError {
                    throw KilnError.invalidArgument("the model rejected the slice: \(error.message)")
                }
            }
        } else {
            // Without a heatmap the slice is an ordinary request through the serving front door:
            // checked against the signature and batched with concurrent ones.
            guard loaded.config.inputs.count == 1, let output = loaded.config.outputs.first else {
                throw KilnError.invalidArgument("model '\(loaded.name)' must take one input and return probabilities or logits first")
            }
            let tensor = Tensor.float32(input.values, shape: [1, 1, input.height, input.width])
            let response = try await inference.infer(loaded, InferenceRequest(
                inputs: [loaded.config.inputs[0].name: tensor], outputs: [.init(name: output.name)]))
            let probabilities = CTExplainer.asProbabilities(response.outputs[0].tensor.float32Values())
            result = CTExplanation(probabilities: probabilities, predictedClass: CTExplainer.argmax(probabilities),
                                   heatmap: FloatImage(width: 0, height: 0, values: []), method: "none")
        }
        stages.lap(explain ? "inference_and_gradcam" : "inference")

        let labels = loaded.config.labels ?? result.probabilities.indices.map(String.init)
        guard labels.count == result.probabilities.count else {
            throw KilnError.invalidArgument("model '\(loaded.name)' returns \(result.probabilities.count) probabilities but config.json lists \(labels.count) labels")
        }
        var answer: [String: JSONValue] = [
            "prediction_id": .string(predictionID),
            "model": ImagingModelBlock.json(loaded),
            "prediction": .string(labels[result.predictedClass]),
            "confidence": .number(Double(result.probabilities[result.predictedClass])),
            "probabilities": .object(Dictionary(uniqueKeysWithValues: zip(labels, result.probabilities.map { JSONValue.number(Double($0)) }))),
            "input": .object(slice.facts.merging(["kind": .string(slice.kind), "model_input": .array([.int(preprocessing.height), .int(preprocessing.width)])]) { $1 }),
        ]
        if explain {
            var heatmap = Self.heatmapJSON(result, labels: labels, inputWidth: input.width, inputHeight: input.height)
            if result.method == "saliency" {
                heatmap["note"] = .string("the model has no '\(gradCAMMethod)' method returning (logits, feature_map): this is a gradient saliency map, not Grad-CAM")
            } else if heatmap["peak"] == .null {
                // E.g. the demo model's "no_lesion" logit is a constant: nothing in the slice argues for it.
                heatmap["note"] = .string("no region of the image raises the score of '\(labels[result.predictedClass])': the map is empty")
            }
            answer["heatmap"] = .object(heatmap)
        }

        // The record is stored while the overlay is drawn (the stored output has the heatmap's
        // values, not its picture): on a 512×512 slice that hides the store's few milliseconds
        // behind the render. The store is awaited whatever the render does, so a failed render
        // never leaves a write cut short.
        let record = answer.merging(["explanation": answer["heatmap"] ?? .null]) { old, _ in old }
        async let stored: Void = archive.keep(
            id: predictionID, task: Self.task, model: loaded, input: Array(slice.stored), inputKind: slice.kind,
            predictedLabel: labels[result.predictedClass], output: .object(record), actor: actor)
        let overlay = explain ? Result { try Self.overlayPNG(display: slice.display, heatmap: result.heatmap).base64EncodedString() } : nil
        if explain { stages.lap("render") }
        try await stored
        stages.lap("store")

        if let overlay, case .object(var heatmap)? = answer["heatmap"] {
            heatmap["overlay_png_base64"] = .string(try overlay.get())
            answer["heatmap"] = .object(heatmap)
        }
        answer["processing_time_ms"] = stages.json
        return .object(answer)
    }

    static func heatmapJSON(_ result: CTExplanation, labels: [String], inputWidth: Int, inputHeight: Int) -> [String: JSONValue] {
        let map = result.heatmap
        let peak = map.resized(width: inputWidth, height: inputHeight).peak()
        let rows = (0..<map.height).map { y -> JSONValue in
            .array((0..<map.width).map { x in .number((Double(map[x, y]) * 1000).rounded() / 1000) })
        }
        return [
            "method": .string(result.method),
            "class": .string(labels[result.predictedClass]),
            "width": .int(map.width), "height": .int(map.height),
            "values": .array(rows),
            // An empty map has no peak to point at.
            "peak": map.values.contains(where: { $0 > 0 }) ? .object(["x": .int(peak.x), "y": .int(peak.y), "space": "model input pixels"]) : .null,
        ]
    }

    /// The slice in grey with the heatmap blended over it, as PNG.
    static func overlayPNG(display: FloatImage, heatmap: FloatImage) throws -> Data {
        let scale = min(1, Double(overlayMaxSide) / Double(max(display.width, display.height)))
        let width = max(1, Int((Double(display.width) * scale).rounded())), height = max(1, Int((Double(display.height) * scale).rounded()))
        let base = display.resized(width: width, height: height)
        let heat = heatmap.resized(width: width, height: height)
        return try ImageCodec.png(pixels: HeatmapOverlay.rgb(base: base, heat: heat), width: width, height: height, channels: 3)
    }
}

/// How a model wants its slices, from its `config.json`: `metadata.preprocessing.size` and
/// `.window`, else the input's last two dimensions and the abdomen window;
/// `metadata.gradcam_method` names the `(logits, feature_map)` method.
struct CTPreprocessing {
    var width: Int
    var height: Int
    var window: DisplayWindow
    var gradCAMMethod: String

    init(config: ModelConfig) {
        let metadata = config.metadata ?? [:]
        var preprocessing: [String: JSONValue] = [:]
        if case .object(let object)? = metadata["preprocessing"] { preprocessing = object }
        var size = [CTClassifierNetwork.inputSize, CTClassifierNetwork.inputSize]
        if case .array(let values)? = preprocessing["size"], values.count == 2,
           let h = Self.number(values[0]).map(Int.init), let w = Self.number(values[1]).map(Int.init), h > 0, w > 0 {
            size = [h, w]
        } else if let shape = config.inputs.first?.shape, shape.count >= 2, shape[shape.count - 2] > 0, shape[shape.count - 1] > 0 {
            size = [shape[shape.count - 2], shape[shape.count - 1]]
        }
        height = size[0]
        width = size[1]
        window = ImagingModels.ctWindow
        if case .object(let object)? = preprocessing["window"], let center = object["center"].flatMap(Self.number), let width = object["width"].flatMap(Self.number), width > 0 {
            window = DisplayWindow(center: center, width: width, name: "model default")
        }
        if case .string(let method)? = metadata["gradcam_method"] { gradCAMMethod = method } else { gradCAMMethod = CTClassifierNetwork.gradCAMMethod }
    }

    static func number(_ value: JSONValue) -> Double? {
        if case .number(let number) = value { return number }
        return nil
    }
}
