import CZlib
import KilnCore

/// zlib's inflate with a cap on the output, so that a small "bomb" cannot exhaust memory.
public enum Inflate {
    public enum Wrapper: Sendable {
        /// A gzip member (`.gz`).
        case gzip
        /// Bare deflate data, as inside a zip entry.
        case raw

        var windowBits: Int32 { self == .gzip ? 15 + 16 : -15 }
    }

    public enum Failure: Error, Sendable {
        case truncated
        case corrupt
        /// The output would pass `maxBytes`.
        case tooLarge
    }

    /// The whole stream decompressed, or `Failure`. `expectedBytes`, when known, sizes the
    /// output at once.
    public static func decompress(_ input: ArraySlice<UInt8>, wrapper: Wrapper, maxBytes: Int, expectedBytes: Int? = nil) throws(Failure) -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, wrapper.windowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else { throw .corrupt }
        defer { inflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: min(maxBytes, max(1, expectedBytes ?? max(1 << 16, input.count * 4))))
        var produced = 0
        let outcome: Result<Int, Failure> = input.withUnsafeBufferPointer { source in
            stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
            stream.avail_in = UInt32(source.count)
            while true {
                if produced == output.count {
                    guard output.count < maxBytes else { return .failure(.tooLarge) }
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
                case Z_STREAM_END: return .success(produced)
                case Z_OK: continue
                case Z_BUF_ERROR where stream.avail_in == 0: return .failure(.truncated)
                case Z_BUF_ERROR: continue
                default: return .failure(.corrupt)
                }
            }
        }
        let count = try outcome.get()
        output.removeSubrange(count...)
        return output
    }

    /// zlib's CRC-32 of `bytes`.
    public static func crc32(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { UInt32(CZlib.crc32(0, $0.baseAddress, UInt32($0.count))) }
    }
}
