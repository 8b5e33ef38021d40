import Foundation
import KilnCore
import KilnML
import Torch

/// A classification of one slice with the map that explains it.
public struct CTExplanation: Sendable {
    public var probabilities: [Float]
    public var predictedClass: Int
    /// At the model's feature-map resolution (Grad-CAM) or input resolution (saliency); 0…1.
    public var heatmap: FloatImage
    /// "grad-cam", or "saliency" for a model without the feature-map method.
    public var method: String
}

/// Classifies a prepared model input and explains the predicted class: Grad-CAM through the
/// module's `(logits, feature_map)` method when it has one, else a gradient saliency map.
public enum CTExplainer {
    /// `classIndex` nil explains the predicted class.
    public static func explain(_ module: TorchModule, input: FloatImage, gradCAMMethod: String, classIndex: Int? = nil) throws -> CTExplanation {
        let tensor = Tensor.float32(input.values, shape: [1, 1, input.height, input.width])
        if module.hasMethod(gradCAMMethod) {
            let result = try module.classGradient(method: gradCAMMethod, input: tensor, classIndex: classIndex)
            guard result.target.shape.count == 4, result.target.shape[0] == 1 else {
                throw KilnError.invalidArgument("\(gradCAMMethod) must return (logits [1, classes], feature_map [1, channels, h, w]); got a feature map of shape \(result.target.shape)")
            }
            let (channels, height, width) = (result.target.shape[1], result.target.shape[2], result.target.shape[3])
            let heatmap = GradCAM.map(features: result.target.float32Values(), gradients: result.gradient.float32Values(),
                                      channels: channels, height: height, width: width)
            let probabilities = softmax(result.logits.float32Values())
            return CTExplanation(probabilities: probabilities, predictedClass: argmax(probabilities), heatmap: heatmap, method: "grad-cam")
        }
        let result = try module.classGradient(method: "forward", input: tensor, classIndex: classIndex)
        let probabilities = asProbabilities(result.logits.float32Values())
        let heatmap = GradCAM.saliency(gradients: result.gradient.float32Values(), channels: 1, height: input.height, width: input.width)
        return CTExplanation(probabilities: probabilities, predictedClass: argmax(probabilities), heatmap: heatmap, method: "saliency")
    }

    /// `forward` may return probabilities or logits: a row that is not already a distribution
    /// is put through softmax.
    public static func asProbabilities(_ row: [Float]) -> [Float] {
        let isDistribution = row.allSatisfy { $0 >= 0 && $0 <= 1 } && abs(row.reduce(0, +) - 1) < 1e-3
        return isDistribution ? row : softmax(row)
    }

    public static func softmax(_ logits: [Float]) -> [Float] {
        let top = logits.max() ?? 0
        let exps = logits.map { Foundation.exp($0 - top) }
        let total = exps.reduce(0, +)
        return exps.map { $0 / total }
    }

    public static func argmax(_ values: [Float]) -> Int {
        values.indices.max { values[$0] < values[$1] } ?? 0
    }
}
