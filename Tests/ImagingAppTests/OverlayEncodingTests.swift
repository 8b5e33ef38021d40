import Foundation
import ImageCodec
@testable import KilnML
import Testing

/// The CT overlay: its blend (rounded exactly as the reference formula rounds) and its PNG
/// (decodes to the pixels it was given, at sizes that take more than one zlib buffer).
@Suite struct OverlayEncodingTests {
    @Test func theBlendRoundsEachChannelToTheNearestLevel() {
        let steps = 101
        var greys: [Float] = [], heats: [Float] = []
        for grey in 0..<steps {
            for heat in 0..<steps {
                greys.append(Float(grey) / Float(steps - 1))
                heats.append(Float(heat) / Float(steps - 1))
            }
        }
        // Out-of-range inputs are clamped, as the doc comment promises.
        greys += [-0.5, 1.5]; heats += [2, -1]
        let base = FloatImage(width: greys.count, height: 1, values: greys)
        let heat = FloatImage(width: heats.count, height: 1, values: heats)
        let pixels = HeatmapOverlay.rgb(base: base, heat: heat, opacity: 0.5)
        for index in greys.indices {
            let level = min(1, max(0, heats[index])), alpha = 0.5 * level
            let shade = (1 - alpha) * min(1, max(0, greys[index]))
            let colour = HeatmapOverlay.jet(level)
            let expected = [colour.x, colour.y, colour.z].map { UInt8(((shade + alpha * $0) * 255).rounded()) }
            #expect(Array(pixels[index * 3..<index * 3 + 3]) == expected, "grey \(greys[index]) heat \(heats[index])")
        }
    }

    @Test func grayPNGsDecodeToThePixelsTheyWereMadeFrom() throws {
        var generator = SystemRandomNumberGenerator()
        for (width, height) in [(1, 1), (3, 7), (512, 512), (1000, 37)] {
            // Noise and flat runs both: noise outgrows the first output buffer, runs compress.
            let pixels = (0..<width * height).map { $0 % 5 == 0 ? UInt8.random(in: 0...255, using: &generator) : UInt8($0 / width % 256) }
            let png = try ImageCodec.png(pixels: pixels, width: width, height: height, channels: 1)
            let decoded = try ImageCodec.decodeGray(png)
            #expect((decoded.width, decoded.height) == (width, height))
            #expect(decoded.pixels == pixels)
        }
    }

    @Test func rgbPNGsHaveTheirSizeAndGreyPixelsKeepTheirLevel() throws {
        let width = 300, height = 200
        let levels = (0..<width * height).map { UInt8(($0 * 7) % 256) }
        let png = try ImageCodec.png(pixels: levels.flatMap { [$0, $0, $0] }, width: width, height: height, channels: 3)
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        let decoded = try ImageCodec.decodeGray(png)
        #expect((decoded.width, decoded.height) == (width, height))
        #expect(zip(decoded.pixels, levels).allSatisfy { abs(Int($0) - Int($1)) <= 1 })
    }
}
