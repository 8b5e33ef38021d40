import CZlib
import KilnCore
import ZlibCodec

/// gzip through zlib, for `.nii.gz`. Decompression is capped so that a small "gzip bomb"
/// cannot exhaust memory.
enum Gzip {
    /// True when `bytes` start with the gzip magic number.
    static func isGzip(_ bytes: [UInt8]) -> Bool { bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B }

    static func decompress(_ input: [UInt8], maxBytes: Int) throws -> [UInt8] {
        do {
            return try Inflate.decompress(input[...], wrapper: .gzip, maxBytes: maxBytes)
        } catch .tooLarge {
            throw KilnError(.payloadTooLarge, "the decompressed volume exceeds \(maxBytes) bytes")
        } catch .truncated {
            throw KilnError(.notNifti, "the gzip stream is truncated")
        } catch {
            throw KilnError(.notNifti, "the gzip stream is corrupt")
        }
    }

    static func compress(_ input: [UInt8], level: Int32 = 6) throws -> [UInt8] {
        var stream = z_stream()
        guard deflateInit2_(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw KilnError(.internal, "zlib cannot start")
        }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(input.count))))
        let written = input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target -> Int in
                stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
                stream.avail_in = UInt32(source.count)
                stream.next_out = target.baseAddress
                stream.avail_out = UInt32(target.count)
                guard deflate(&stream, Z_FINISH) == Z_STREAM_END else { return -1 }
                return target.count - Int(stream.avail_out)
            }
        }
        guard written >= 0 else { throw KilnError(.internal, "zlib could not compress the volume") }
        return Array(output[..<written])
    }
}
