/// Class-activation maps from a network's gradients (Selvaraju et al., Grad-CAM, 2017).
public enum GradCAM {
    /// Grad-CAM: each feature channel is weighted by the mean of the class score's gradient over
    /// it, the weighted channels are summed, and negative evidence is cut (ReLU). `features` and
    /// `gradients` are one sample's `[channels, height, width]`. The map is smoothed with a
    /// Gaussian of σ = 1 feature cell (a small lesion lights a ring of cells around it; smoothing
    /// moves the peak to the ring's centre) and scaled to peak at 1.
    public static func map(features: [Float], gradients: [Float], channels: Int, height: Int, width: Int) -> FloatImage {
        let plane = height * width
        precondition(features.count == channels * plane && gradients.count == features.count, "feature map and gradient shapes differ")
        var cam = [Float](repeating: 0, count: plane)
        for channel in 0..<channels {
            let offset = channel * plane
            var weight: Float = 0
            for index in 0..<plane { weight += gradients[offset + index] }
            weight /= Float(plane)
            for index in 0..<plane { cam[index] += weight * features[offset + index] }
        }
        return FloatImage(width: width, height: height, values: cam.map { max(0, $0) }).gaussianSmoothed(sigma: 1).normalisedToPeak()
    }

    /// A saliency map, for models without a feature-map method: the largest absolute gradient of
    /// the class score over the input's channels at each pixel (Simonyan et al., 2014).
    public static func saliency(gradients: [Float], channels: Int, height: Int, width: Int) -> FloatImage {
        let plane = height * width
        precondition(gradients.count == channels * plane, "gradient shape does not match")
        var map = [Float](repeating: 0, count: plane)
        for channel in 0..<channels {
            for index in 0..<plane { map[index] = max(map[index], abs(gradients[channel * plane + index])) }
        }
        return FloatImage(width: width, height: height, values: map).normalisedToPeak()
    }
}
