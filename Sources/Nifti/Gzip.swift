import CZlib
import KilnCore

/// gzip through zlib, for `.nii.gz`. Decompression is capped so that a small "gzip bomb"
/// cannot exhaust memory.
enum Gzip {
    /// True when `bytes` start with the gzip magic number.
    static func isGzip(_ bytes: [UInt8]) -> Bool { bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B }

    static func decompress(_ input: [UInt8], maxBytes: Int) throws -> [UInt8] {
        var stream = z_stream()
        // 15 + 16: a gzip wrapper, the largest window.
        guard inflateInit2_(&stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw KilnError(.internal, "zlib cannot start")
        }
        defer { inflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: min(maxBytes, max(1 << 16, input.count * 4)))
        var produced = 0
        return try input.withUnsafeBufferPointer { source in
            stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
            stream.avail_in = UInt32(source.count)
            while true {
                if produced == output.count {
                    guard output.count < maxBytes else {
                        throw KilnError(.payloadTooLarge, "the decompressed volume exceeds \(maxBytes) bytes")
                    }
                    output += [UInt8](repeating: 0, count: min(maxBytes, output.count * 2) - output.count)
                }
                let status = output.withUnsafeMutableBufferPointer { target -> Int32 in
                    stream.next_out = target.baseAddress! + produced
                    stream.avail_out = UInt32(target.count - produced)
                    let status = inflate(&stream, Z_NO_FLUSH)
                    produced = target.count - Int(stream.avail_out)
                    return status
                }
                switch status {
                case Z_STREAM_END:
                    return Array(output[..<produced])
                case Z_OK:
                    continue
                case Z_BUF_ERROR where stream.avail_in == 0:
                    throw KilnError(.notNifti, "the gzip stream is truncated")
                case Z_BUF_ERROR:
                    continue
                default:
                    throw KilnError(.notNifti, "the gzip stream is corrupt")
                }
            }
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
