/// Heatmaps blended over a grey slice, as RGB bytes ready for PNG encoding.
public enum HeatmapOverlay {
    /// `base` and `heat` are the same size with values in 0…1. The heat is coloured with the
    /// "jet" map and blended in proportion to its strength (up to `opacity`), so cold areas
    /// show the slice untouched.
    public static func rgb(base: FloatImage, heat: FloatImage, opacity: Float = 0.5) -> [UInt8] {
        precondition(base.width == heat.width && base.height == heat.height, "overlay sizes differ")
        var pixels = [UInt8](repeating: 0, count: base.values.count * 3)
        for index in base.values.indices {
            let grey = min(1, max(0, base.values[index]))
            let level = min(1, max(0, heat.values[index]))
            let colour = jet(level)
            let alpha = opacity * level
            for channel in 0..<3 {
                let blended = (1 - alpha) * grey + alpha * colour[channel]
                pixels[index * 3 + channel] = UInt8((blended * 255).rounded())
            }
        }
        return pixels
    }

    /// The "jet" colour map: blue → cyan → yellow → red.
    static func jet(_ value: Float) -> [Float] {
        func ramp(_ offset: Float) -> Float { min(1, max(0, 1.5 - abs(4 * value - offset))) }
        return [ramp(3), ramp(2), ramp(1)]
    }
}
