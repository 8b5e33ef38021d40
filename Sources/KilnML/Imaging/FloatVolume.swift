/// A single-channel 3-D volume of floats, x fastest then y then z (NIfTI's order).
public struct FloatVolume: Sendable, Equatable {
    /// Voxels along x, y, z.
    public var dimensions: [Int]
    public var values: [Float]

    public init(dimensions: [Int], values: [Float]) {
        precondition(dimensions.count == 3 && values.count == dimensions.reduce(1, *), "values do not fill \(dimensions)")
        self.dimensions = dimensions
        self.values = values
    }

    public subscript(x: Int, y: Int, z: Int) -> Float { values[(z * dimensions[1] + y) * dimensions[0] + x] }

    /// Trilinear resampling onto a `newDimensions` grid covering the same extent (voxel centres
    /// aligned as `align_corners=False`; edges clamped). Shrinking by 2 averages voxel pairs.
    public func resampled(to newDimensions: [Int]) -> FloatVolume {
        if newDimensions == dimensions { return self }
        let axes = (0..<3).map { Self.linearTaps(from: dimensions[$0], to: newDimensions[$0]) }
        let (nx, ny) = (dimensions[0], dimensions[1])
        var output = [Float](repeating: 0, count: newDimensions.reduce(1, *))
        values.withUnsafeBufferPointer { source in
            var index = 0
            for z in axes[2] {
                let (zLow, zHigh) = (z.low * ny, z.high * ny)
                for y in axes[1] {
                    // The four source rows around (y, z) and their weights.
                    let rows = ((zLow + y.low) * nx, (zLow + y.high) * nx, (zHigh + y.low) * nx, (zHigh + y.high) * nx)
                    let weights = ((1 - z.fraction) * (1 - y.fraction), (1 - z.fraction) * y.fraction, z.fraction * (1 - y.fraction), z.fraction * y.fraction)
                    for x in axes[0] {
                        func along(_ row: Int) -> Float { source[row + x.low] * (1 - x.fraction) + source[row + x.high] * x.fraction }
                        output[index] = weights.0 * along(rows.0) + weights.1 * along(rows.1) + weights.2 * along(rows.2) + weights.3 * along(rows.3)
                        index += 1
                    }
                }
            }
        }
        return FloatVolume(dimensions: newDimensions, values: output)
    }

    /// Intensities mapped so that the `low` and `high` quantiles become 0 and 1 (clipped): a scale
    /// that does not depend on the scanner's units, as MR intensities have none.
    public func normalisedByQuantiles(low: Double = 0.01, high: Double = 0.995) -> FloatVolume {
        // Quantiles of an evenly strided sample: exact enough, and cheap for large volumes.
        let step = max(1, values.count / 200_000)
        let sample = stride(from: 0, to: values.count, by: step).map { values[$0] }.sorted()
        guard let first = sample.first else { return self }
        let lo = sample[Int(Double(sample.count - 1) * low)], hi = sample[Int(Double(sample.count - 1) * high)]
        guard hi > lo else { return FloatVolume(dimensions: dimensions, values: values.map { $0 > first ? 1 : 0 }) }
        let scale = 1 / (hi - lo)
        return FloatVolume(dimensions: dimensions, values: values.map { min(1, max(0, ($0 - lo) * scale)) })
    }

    struct LinearTap {
        var low: Int
        var high: Int
        var fraction: Float
    }

    static func linearTaps(from source: Int, to target: Int) -> [LinearTap] {
        let scale = Double(source) / Double(target)
        return (0..<target).map { index in
            let position = min(Double(source - 1), max(0, (Double(index) + 0.5) * scale - 0.5))
            let low = Int(position)
            return LinearTap(low: low, high: min(source - 1, low + 1), fraction: Float(position - Double(low)))
        }
    }
}
