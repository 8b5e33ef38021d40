import ImagingApp
import Foundation
import KilnCore
import KilnML

/// T1-contrast-like head volumes made up from a seed, with a tumour whose mask is kept: the
/// training and held-out data of the demo segmentation model — not anatomy.
///
/// A head ellipsoid with a bright scalp and dark skull, grey matter around white matter, two
/// dark ventricles, an unlabelled oedema halo round the tumour, and the tumour itself: an
/// irregular blob of 1–3 overlapping spheres, either uniformly enhancing or ring-enhancing with
/// a dark necrotic core. A smooth bias field and noise on top. About one volume in eight has no
/// tumour. Geometry is defined in normalised coordinates, so a volume of any grid size shows
/// the same head; the mask is evaluated at voxel centres.
public struct SyntheticMRVolume: Sendable {
    public var image: FloatVolume
    /// 1 inside the tumour, else 0.
    public var mask: [UInt8]
}

public enum SyntheticMRVolumes {
    /// How tumours look. `training` is what the demo segmenter learned from (enhancing, brighter
    /// than white matter, half of them with a dark necrotic core); `hypointense` is a shifted set
    /// for the retraining evaluation: non-enhancing tumours darker than grey matter, as low-grade
    /// gliomas look on T1. Both draw the same random numbers, so a seed gives the same heads.
    public struct Tumours: Sendable {
        public var level: ClosedRange<Double>
        public var necroticCores: Bool

        public static let training = Tumours(level: 0.85...1.0, necroticCores: true)
        public static let hypointense = Tumours(level: 0.28...0.36, necroticCores: false)
    }

    public static func generate(count: Int, dimensions: [Int], seed: UInt64, tumours: Tumours = .training) -> [SyntheticMRVolume] {
        var generator = SeededGenerator(state: seed)
        return (0..<count).map { index in volume(dimensions: dimensions, withTumour: index % 8 != 7, tumours: tumours, generator: &generator) }
    }

    struct Ellipsoid {
        var center: SIMD3<Double>
        var radii: SIMD3<Double>
        init(center: [Double], radii: [Double]) {
            self.center = SIMD3(center)
            self.radii = SIMD3(radii)
        }
        /// Squared normalised distance: ≤ 1 inside.
        func distance2(_ p: SIMD3<Double>) -> Double {
            let d = (p - center) / radii
            return (d * d).sum()
        }
    }

    static func volume(dimensions: [Int], withTumour: Bool, tumours: Tumours, generator: inout SeededGenerator) -> SyntheticMRVolume {
        func uniform(_ range: ClosedRange<Double>) -> Double { Double.random(in: range, using: &generator) }
        let head = Ellipsoid(center: [0.5 + uniform(-0.03...0.03), 0.5 + uniform(-0.03...0.03), 0.5 + uniform(-0.03...0.03)],
                             radii: [uniform(0.36...0.42), uniform(0.40...0.46), uniform(0.36...0.42)])
        let ventricles = [-1.0, 1.0].map { side in
            Ellipsoid(center: [head.center.x + side * uniform(0.04...0.07), head.center.y + uniform(-0.03...0.03), head.center.z + uniform(0...0.04)],
                      radii: [uniform(0.03...0.05), uniform(0.08...0.12), uniform(0.04...0.06)])
        }
        // The tumour: 1–3 spheres around a centre inside the brain.
        var lobes: [Ellipsoid] = []
        var enhancingRim = false
        if withTumour {
            let angleA = uniform(0...(2 * .pi)), angleB = uniform(-0.6...0.6), reach = uniform(0.05...0.5)
            let center = [head.center.x + cos(angleA) * cos(angleB) * reach * head.radii.x * 0.75,
                          head.center.y + sin(angleA) * cos(angleB) * reach * head.radii.y * 0.75,
                          head.center.z + sin(angleB) * reach * head.radii.z * 0.75]
            let radius = uniform(0.06...0.13)
            lobes.append(Ellipsoid(center: center, radii: [radius, radius, radius]))
            for _ in 0..<Int.random(in: 0...2, using: &generator) {
                let offset = (0..<3).map { _ in uniform(-0.6...0.6) * radius }
                let r = radius * uniform(0.45...0.8)
                lobes.append(Ellipsoid(center: zip(center, offset).map(+), radii: [r, r, r]))
            }
            enhancingRim = Bool.random(using: &generator) && tumours.necroticCores
        }
        let tumourLevel = uniform(tumours.level), oedemaLevel = uniform(0.5...0.62)
        let bias = (0..<3).map { _ in uniform(-0.15...0.15) }
        let (nx, ny, nz) = (dimensions[0], dimensions[1], dimensions[2])
        var values = [Float](repeating: 0, count: nx * ny * nz)
        var mask = [UInt8](repeating: 0, count: values.count)
        var index = 0
        for z in 0..<nz {
            for y in 0..<ny {
                for x in 0..<nx {
                    defer { index += 1 }
                    let p = SIMD3((Double(x) + 0.5) / Double(nx), (Double(y) + 0.5) / Double(ny), (Double(z) + 0.5) / Double(nz))
                    let h = head.distance2(p)
                    var value = 0.02
                    if h <= 1 {
                        if h > 0.92 { value = 0.9 }                           // scalp fat
                        else if h > 0.8 { value = 0.08 }                      // skull
                        else if h > 0.62 { value = 0.45 }                     // grey matter
                        else { value = 0.68 }                                 // white matter
                        if h <= 0.8, ventricles.contains(where: { $0.distance2(p) <= 1 }) { value = 0.18 }
                        if h <= 0.8, !lobes.isEmpty {
                            var d = Double.infinity
                            for lobe in lobes { d = min(d, lobe.distance2(p)) }
                            if d <= 1 {
                                mask[index] = 1
                                value = enhancingRim && d < 0.45 ? 0.3 : tumourLevel
                            } else if d <= 2.2 {
                                value = oedemaLevel
                            }
                        }
                        value *= 1 + bias[0] * (p[0] - 0.5) + bias[1] * (p[1] - 0.5) + bias[2] * (p[2] - 0.5)
                    }
                    // Noise (Box–Muller, σ = 0.04).
                    let u1 = max(Double.random(in: 0..<1, using: &generator), 1e-12), u2 = Double.random(in: 0..<1, using: &generator)
                    values[index] = Float(value + 0.04 * (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2))
                }
            }
        }
        return SyntheticMRVolume(image: FloatVolume(dimensions: dimensions, values: values), mask: mask)
    }
}
