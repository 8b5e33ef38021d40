import ImagingApp
import Foundation
import KilnCore
import KilnML

/// CT-like axial slices in Hounsfield units, made up from a seed: air around an elliptical body
/// with a fat rim, a vertebra, two soft-tissue organs and noise; half of them carry a round
/// lesion (hyper- or hypodense by 80–150 HU) whose mask is kept, so Grad-CAM can be checked
/// against where the lesion really is. Training data for the demo CT classifier — not anatomy.
public struct SyntheticCTSlice: Sendable {
    public var hounsfield: FloatImage
    /// The lesion's pixels (row-major), nil for a slice without one.
    public var lesion: [Bool]?
}

public enum SyntheticCTSlices {
    /// The lesions' radius (a fraction of the slice side) and contrast (HU from soft tissue,
    /// either sign). `training` is what the demo classifier learned from; the others are shifted
    /// sets for the retraining evaluation.
    public struct Lesions: Sendable {
        public var radius: ClosedRange<Double>
        public var contrast: ClosedRange<Double>

        public init(radius: ClosedRange<Double>, contrast: ClosedRange<Double>) {
            self.radius = radius
            self.contrast = contrast
        }

        public static let training = Lesions(radius: 0.035...0.07, contrast: 80...150)
        /// Small, faint lesions: about half the radius and half the contrast of the training ones.
        public static let smallFaint = Lesions(radius: 0.02...0.035, contrast: 45...75)
    }

    /// `count` slices of `size`×`size`, alternating without/with lesion, reproducible from `seed`.
    public static func generate(count: Int, size: Int = 128, seed: UInt64, lesions: Lesions = .training) -> [SyntheticCTSlice] {
        var generator = SeededGenerator(state: seed)
        return (0..<count).map { index in slice(size: size, withLesion: index % 2 == 1, lesions: lesions, generator: &generator) }
    }

    static func slice(size: Int, withLesion: Bool, lesions: Lesions, generator: inout SeededGenerator) -> SyntheticCTSlice {
        let s = Double(size)
        func uniform(_ range: ClosedRange<Double>) -> Double { Double.random(in: range, using: &generator) }
        var hu = [Float](repeating: -1000, count: size * size)
        let cx = s / 2 + uniform(-0.05...0.05) * s, cy = s / 2 + uniform(-0.05...0.05) * s
        let ax = uniform(0.36...0.44) * s, ay = uniform(0.30...0.38) * s
        func bodyRadius(_ x: Double, _ y: Double) -> Double {
            let dx = (x - cx) / ax, dy = (y - cy) / ay
            return (dx * dx + dy * dy).squareRoot()
        }
        // Body: fat rim, then soft tissue.
        for y in 0..<size {
            for x in 0..<size {
                let r = bodyRadius(Double(x) + 0.5, Double(y) + 0.5)
                if r <= 1 { hu[y * size + x] = r > 0.9 ? -100 : 40 }
            }
        }
        func paint(_ centerX: Double, _ centerY: Double, _ radiusX: Double, _ radiusY: Double, value: Float, mask: inout [Bool]?) {
            let x0 = max(0, Int(centerX - radiusX) - 1), x1 = min(size - 1, Int(centerX + radiusX) + 1)
            let y0 = max(0, Int(centerY - radiusY) - 1), y1 = min(size - 1, Int(centerY + radiusY) + 1)
            guard x0 <= x1, y0 <= y1 else { return }
            for y in y0...y1 {
                for x in x0...x1 {
                    let dx = (Double(x) + 0.5 - centerX) / radiusX, dy = (Double(y) + 0.5 - centerY) / radiusY
                    if dx * dx + dy * dy <= 1 {
                        hu[y * size + x] = value
                        mask?[y * size + x] = true
                    }
                }
            }
        }
        var none: [Bool]? = nil
        // Vertebra below the centre, two organs at random places inside the body.
        paint(cx, cy + 0.7 * ay, 0.06 * s, 0.06 * s, value: 700, mask: &none)
        for _ in 0..<2 {
            let angle = uniform(0...(2 * .pi)), reach = uniform(0.2...0.5)
            paint(cx + cos(angle) * reach * ax, cy + sin(angle) * reach * ay, uniform(0.08...0.16) * s, uniform(0.08...0.16) * s,
                  value: Float(uniform(30...60)), mask: &none)
        }
        var lesion: [Bool]? = nil
        if withLesion {
            lesion = [Bool](repeating: false, count: size * size)
            let angle = uniform(0...(2 * .pi)), reach = uniform(0...0.65)
            let radius = uniform(lesions.radius) * s
            let contrast = uniform(lesions.contrast) * (Bool.random(using: &generator) ? 1 : -1)
            paint(cx + cos(angle) * reach * ax, cy + sin(angle) * reach * ay, radius, radius, value: Float(40 + contrast), mask: &lesion)
        }
        // Scanner noise inside the body (Box–Muller, σ = 12 HU).
        for index in hu.indices where hu[index] > -1000 {
            let u1 = max(Double.random(in: 0..<1, using: &generator), 1e-12), u2 = Double.random(in: 0..<1, using: &generator)
            hu[index] += Float(12 * (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2))
        }
        return SyntheticCTSlice(hounsfield: FloatImage(width: size, height: size, values: hu), lesion: lesion)
    }
}
