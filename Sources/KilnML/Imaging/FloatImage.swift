import Foundation

/// A single-channel image of floats, row-major: a windowed slice, a heatmap, a saliency map.
public struct FloatImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var values: [Float]

    public init(width: Int, height: Int, values: [Float]) {
        precondition(values.count == width * height, "values do not fill \(width)×\(height)")
        self.width = width
        self.height = height
        self.values = values
    }

    public subscript(x: Int, y: Int) -> Float { values[y * width + x] }

    /// Resampled to `width`×`height` with a linear (triangle) filter that widens when shrinking,
    /// so downscaling averages every source pixel instead of skipping some (like PIL's bilinear).
    public func resized(width newWidth: Int, height newHeight: Int) -> FloatImage {
        if newWidth == width, newHeight == height { return self }
        let columns = Self.taps(from: width, to: newWidth)
        let rows = Self.taps(from: height, to: newHeight)
        var horizontal = [Float](repeating: 0, count: newWidth * height)
        values.withUnsafeBufferPointer { source in
            for y in 0..<height {
                let row = y * width
                for x in 0..<newWidth {
                    var sum: Float = 0
                    for tap in columns[x] { sum += source[row + tap.index] * tap.weight }
                    horizontal[y * newWidth + x] = sum
                }
            }
        }
        var output = [Float](repeating: 0, count: newWidth * newHeight)
        for y in 0..<newHeight {
            for tap in rows[y] {
                let source = tap.index * newWidth, target = y * newWidth
                for x in 0..<newWidth { output[target + x] += horizontal[source + x] * tap.weight }
            }
        }
        return FloatImage(width: newWidth, height: newHeight, values: output)
    }

    /// Blurred with a Gaussian of standard deviation `sigma` pixels (separable, truncated at 3σ,
    /// edges clamped).
    public func gaussianSmoothed(sigma: Double) -> FloatImage {
        guard sigma > 0 else { return self }
        let radius = Int((3 * sigma).rounded(.up))
        var kernel = (-radius...radius).map { Float(exp(-Double($0 * $0) / (2 * sigma * sigma))) }
        let total = kernel.reduce(0, +)
        kernel = kernel.map { $0 / total }
        func pass(_ input: [Float], horizontal: Bool) -> [Float] {
            var output = [Float](repeating: 0, count: input.count)
            for y in 0..<height {
                for x in 0..<width {
                    var sum: Float = 0
                    for offset in -radius...radius {
                        let sx = horizontal ? min(width - 1, max(0, x + offset)) : x
                        let sy = horizontal ? y : min(height - 1, max(0, y + offset))
                        sum += input[sy * width + sx] * kernel[offset + radius]
                    }
                    output[y * width + x] = sum
                }
            }
            return output
        }
        return FloatImage(width: width, height: height, values: pass(pass(values, horizontal: true), horizontal: false))
    }

    /// Position of the largest value (the first one on ties).
    public func peak() -> (x: Int, y: Int) {
        var best = 0
        for index in values.indices where values[index] > values[best] { best = index }
        return (best % width, best / width)
    }

    /// Values scaled so that the largest becomes 1 (negative ones clipped to 0); an all-zero
    /// image stays zero.
    public func normalisedToPeak() -> FloatImage {
        let top = values.max() ?? 0
        guard top > 0 else { return FloatImage(width: width, height: height, values: [Float](repeating: 0, count: values.count)) }
        return FloatImage(width: width, height: height, values: values.map { max(0, $0) / top })
    }

    struct Tap {
        var index: Int
        var weight: Float
    }

    /// For each output position along one axis, the source positions and normalised weights.
    static func taps(from source: Int, to target: Int) -> [[Tap]] {
        let scale = Double(source) / Double(target)
        let support = max(scale, 1)
        return (0..<target).map { position in
            let center = (Double(position) + 0.5) * scale
            let first = max(0, Int((center - support).rounded(.down)))
            let last = min(source - 1, Int((center + support).rounded(.up)))
            var taps: [Tap] = []
            var total = 0.0
            for index in first...max(first, last) {
                let weight = max(0, 1 - abs((Double(index) + 0.5 - center) / support))
                if weight > 0 {
                    taps.append(Tap(index: index, weight: Float(weight)))
                    total += weight
                }
            }
            if taps.isEmpty { return [Tap(index: min(source - 1, Int(center)), weight: 1)] }
            return taps.map { Tap(index: $0.index, weight: Float(Double($0.weight) / total)) }
        }
    }
}
