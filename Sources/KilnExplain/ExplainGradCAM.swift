import Foundation
import KilnCore
import KilnML
import KilnServing
import Torch

extension ExplainService {
    /// Grad-CAM for a TorchScript image classifier, one image at a time on the model's compute
    /// threads: the gradient of the target class's logit through the module's
    /// `(logits, feature_map)` method (`metadata.grad_cam_method`, default `logits_and_features`),
    /// or a saliency map from `forward` when the module has no such method.
    func gradCAM(_ loaded: LoadedVersion, instances: Instances, options: ExplainOptions) async throws -> ExplainAnswer {
        guard let shape = loaded.config.imageClassifierShape else {
            throw KilnError(.explanationUnsupported, "model '\(loaded.name)' is not a TorchScript image classifier")
        }
        let (channels, height, width) = (shape[0], shape[1], shape[2])
        var methodName = "logits_and_features"
        if case .string(let name)? = loaded.config.metadata?["grad_cam_method"] { methodName = name }
        let classCount = loaded.config.outputs[0].shape[1]
        let requested = try gradCAMTarget(loaded, options: options, classes: classCount)
        var explanations: [ExplainAnswer.Explanation] = []
        var chosen = requested ?? 0
        for index in 0..<instances.count {
            let pixels = Array(instances.values[(index * instances.columns)..<((index + 1) * instances.columns)])
            let method = methodName
            let (scores, map, kind) = try await loaded.scheduler.perform((any TorchScriptMethods).self) { torch -> ([Float], FloatImage, String) in
                let input = Tensor.float32(pixels, shape: [1, channels, height, width])
                if torch.module.hasMethod(method) {
                    let result = try torch.module.classGradient(method: method, input: input, classIndex: requested)
                    guard result.target.shape.count == 4, result.target.shape[0] == 1 else {
                        throw KilnError(.explanationUnsupported, "\(method) must return (logits [1, classes], feature_map [1, channels, h, w]); got a feature map of shape \(result.target.shape)")
                    }
                    let map = GradCAM.map(features: result.target.float32Values(), gradients: result.gradient.float32Values(),
                                          channels: result.target.shape[1], height: result.target.shape[2], width: result.target.shape[3])
                    return (result.logits.float32Values(), map, "grad-cam")
                }
                let result = try torch.module.classGradient(method: "forward", input: input, classIndex: requested)
                return (result.logits.float32Values(), GradCAM.saliency(gradients: result.gradient.float32Values(), channels: channels,
                                                                         height: height, width: width), "saliency")
            }
            let probabilities = Self.probabilities(scores)
            let target = requested ?? (probabilities.indices.max { probabilities[$0] < probabilities[$1] } ?? 0)
            if index == 0 { chosen = target }
            let rows = (0..<map.height).map { y in (0..<map.width).map { x in Double(map.values[y * map.width + x]) } }
            explanations.append(ExplainAnswer.Explanation(
                prediction: Double(probabilities[safe: target] ?? 0), top: [],
                heatmap: .init(method: kind, width: map.width, height: map.height, values: rows)))
        }
        let output = ExplainAnswer.Output(name: loaded.config.outputs[0].name, index: chosen,
                                          label: loaded.config.labels?[safe: chosen], space: "probability")
        return ExplainAnswer(modelName: loaded.name, modelVersion: String(loaded.version), method: ExplainMethod.gradCam.rawValue,
                             parameters: .init(), output: output, featureNames: [], explanations: explanations)
    }

    /// The class explained: `target` (index or label), or nil for each image's predicted class.
    func gradCAMTarget(_ loaded: LoadedVersion, options: ExplainOptions, classes: Int) throws -> Int? {
        guard options.target != nil else { return nil }
        return try target(loaded, options: options, predictions: [], width: classes)
    }

    /// Scores that are not already a distribution go through softmax.
    static func probabilities(_ scores: [Float]) -> [Float] {
        if scores.allSatisfy({ $0 >= 0 && $0 <= 1 }), abs(scores.reduce(0, +) - 1) < 1e-3 { return scores }
        let top = scores.max() ?? 0
        let exps = scores.map { exp($0 - top) }
        let total = exps.reduce(0, +)
        return exps.map { $0 / total }
    }
}
