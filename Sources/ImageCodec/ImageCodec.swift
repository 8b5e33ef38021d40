import CImageCodec
import Foundation
import KilnCore

/// 8-bit images in and out: PNG and JPEG slices decoded to luminance, PNG encoding for overlays.
public enum ImageCodec {
    /// An 8-bit single-channel image, row-major.
    public struct Gray: Sendable {
        public var width: Int
        public var height: Int
        public var pixels: [UInt8]
    }

    /// True when `bytes` start like a PNG or JPEG file.
    public static func isPNGOrJPEG(_ bytes: Data) -> Bool {
        bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) || bytes.starts(with: [0xFF, 0xD8, 0xFF])
    }

    /// Decodes a PNG or JPEG to luminance. Throws `undecodable_image` with the codec's reason.
    public static func decodeGray(_ bytes: Data) throws -> Gray {
        var pixels: UnsafeMutablePointer<UInt8>?
        var width: Int32 = 0, height: Int32 = 0
        var message = [CChar](repeating: 0, count: Int(KILN_IMAGE_MESSAGE_SIZE))
        let status = bytes.withUnsafeBytes { raw in
            kiln_image_decode_gray(raw.baseAddress?.assumingMemoryBound(to: UInt8.self), raw.count, &pixels, &width, &height, &message)
        }
        guard status == 0, let pixels else { throw KilnError(.undecodableImage, "cannot decode the image: \(text(message))") }
        defer { kiln_image_free(pixels) }
        let count = Int(width) * Int(height)
        return Gray(width: Int(width), height: Int(height), pixels: Array(UnsafeBufferPointer(start: pixels, count: count)))
    }

    /// PNG bytes of 8-bit pixels: `channels` 3 (RGB) or 1 (gray), row-major.
    public static func png(pixels: [UInt8], width: Int, height: Int, channels: Int) throws -> Data {
        precondition(channels == 1 || channels == 3, "PNG encoding takes gray or RGB")
        precondition(pixels.count == width * height * channels, "pixel count does not match the size")
        var output: UnsafeMutablePointer<UInt8>?
        var size = 0
        var message = [CChar](repeating: 0, count: Int(KILN_IMAGE_MESSAGE_SIZE))
        let status = kiln_png_encode(pixels, Int32(width), Int32(height), Int32(channels), &output, &size, &message)
        guard status == 0, let output else { throw KilnError(.internal, "PNG encoding failed: \(text(message))") }
        defer { kiln_image_free(output) }
        return Data(bytes: output, count: size)
    }

    private static func text(_ message: [CChar]) -> String {
        String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
