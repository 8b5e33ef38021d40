import Foundation
@testable import ImagingApp
@testable import ImagingDemo
import KilnML
import Testing

struct ImageMathTests {
    @Test func shrinkingAveragesAndKeepsTheMean() {
        let image = FloatImage(width: 4, height: 2, values: [0, 2, 4, 6, 1, 3, 5, 7])
        let half = image.resized(width: 2, height: 1)
        #expect(half.values.count == 2)
        #expect(abs(half.values.reduce(0, +) / 2 - 3.5) < 1e-5)
        #expect(half.values[0] < half.values[1])
        #expect(image.resized(width: 4, height: 2) == image)
    }

    @Test func windowsParseAndClip() throws {
        #expect(DisplayWindow(parsing: "lung") == DisplayWindow.presets["lung"])
        let custom = try #require(DisplayWindow(parsing: " 40, 400 "))
        #expect(custom.center == 40 && custom.width == 400)
        #expect(DisplayWindow(parsing: "40,0") == nil && DisplayWindow(parsing: "soft") == nil && DisplayWindow(parsing: "1,2,3") == nil)
        #expect(custom.apply([-1000, -160, 40, 240, 3000]) == [0, 0, 0.5, 1, 1])
        #expect(custom.apply([-160, 240], invert: true) == [1, 0])
    }

    /// Two channels: one the class likes (mean gradient +1), one it dislikes (−1).
    @Test func gradCAMWeighsChannelsByTheirMeanGradient() {
        let features: [Float] = [1, 0, 0, 0, /* disliked */ 0, 0, 0, 5]
        let gradients: [Float] = [1, 1, 1, 1, -1, -1, -1, -1]
        let map = GradCAM.map(features: features, gradients: gradients, channels: 2, height: 2, width: 2)
        #expect(map.peak() == (0, 0))
        #expect(map.values.max() == 1)
        #expect(map[1, 1] == map.values.min())  // negative evidence is cut (only smoothing reaches it)
    }

    @Test func saliencyIsTheLargestAbsoluteGradient() {
        let map = GradCAM.saliency(gradients: [0.5, -2, 0, 1], channels: 1, height: 2, width: 2)
        #expect(map.values == [0.25, 1, 0, 0.5])
    }

    @Test func syntheticSlicesAreReproducibleAndMarkTheirLesions() {
        let first = SyntheticCTSlices.generate(count: 4, size: 64, seed: 9)
        let again = SyntheticCTSlices.generate(count: 4, size: 64, seed: 9)
        #expect(first.map(\.hounsfield) == again.map(\.hounsfield))
        #expect(first[0].lesion == nil && first[1].lesion != nil)
        let lesion = first[1].lesion!
        #expect(lesion.contains(true))
        // The lesion differs from soft tissue (40 HU) by 80–150 HU on average.
        let inside = first[1].hounsfield.values.indices.filter { lesion[$0] }.map { first[1].hounsfield.values[$0] }
        let mean = inside.reduce(0, +) / Float(inside.count)
        #expect(abs(mean - 40) > 60)
    }
}

@Suite struct VolumeMathTests {
    @Test func resamplingKeepsConstantsAndHalvingAveragesPairs() {
        let constant = FloatVolume(dimensions: [5, 6, 7], values: [Float](repeating: 3, count: 210))
        #expect(constant.resampled(to: [8, 4, 12]).values.allSatisfy { abs($0 - 3) < 1e-6 })
        let ramp = FloatVolume(dimensions: [4, 1, 1], values: [0, 2, 4, 6])
        #expect(ramp.resampled(to: [2, 1, 1]).values == [1, 5])
    }

    @Test func quantileNormalisationMapsToUnitRange() {
        let volume = FloatVolume(dimensions: [10, 10, 10], values: (0..<1000).map(Float.init))
        let normalised = volume.normalisedByQuantiles(low: 0.1, high: 0.9)
        #expect(normalised.values.min() == 0 && normalised.values.max() == 1)
        #expect(abs(normalised[5, 4, 4] - (445 - 99.0) / (899 - 99)) < 1e-4)
    }

    @Test func smallComponentsAreRemovedAndLargeOnesKept() {
        var mask = [UInt8](repeating: 0, count: 10 * 10 * 10)
        func set(_ x: Int, _ y: Int, _ z: Int) { mask[(z * 10 + y) * 10 + x] = 1 }
        for x in 2..<5 { for y in 2..<5 { for z in 2..<5 { set(x, y, z) } } }   // 27 voxels
        set(8, 8, 8); set(8, 8, 9)                                              // a 2-voxel speck
        set(0, 0, 0); set(1, 1, 1)                                              // diagonal: two 1-voxel components
        let cleaned = MRISegmenter.removingSmallComponents(mask, dimensions: [10, 10, 10], minimum: 3)
        #expect(cleaned.reduce(0) { $0 + Int($1) } == 27)
        #expect(MRISegmenter.dice(cleaned, mask) > 0.9)
        #expect(MRISegmenter.dice([0, 0], [0, 0]) == 1)
    }
}
