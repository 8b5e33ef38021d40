import KilnCore

/// A zip archive held in memory, read through its central directory: the entries' names and
/// sizes, and each entry's bytes on demand (stored or deflated, CRC-checked). Refused with
/// `invalid_zip` (422): anything that is not a zip, a truncated or inconsistent one, ZIP64,
/// encrypted entries, and compression methods other than store and deflate.
public struct ZipArchive: Sendable {
    public struct Entry: Sendable {
        public var name: String
        /// Uncompressed size, as the central directory declares it.
        public var size: Int
        public var isDirectory: Bool { name.hasSuffix("/") }
        let method: UInt16
        let compressedSize: Int
        let crc32: UInt32
        let localHeaderOffset: Int
    }

    public let entries: [Entry]
    private let bytes: [UInt8]

    public static func isZip(_ bytes: [UInt8]) -> Bool { bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) || bytes.starts(with: [0x50, 0x4B, 0x05, 0x06]) }

    public init(_ bytes: [UInt8], maxEntries: Int = 10_000) throws {
        self.bytes = bytes
        // The end-of-central-directory record: 22 bytes plus a comment of up to 65535.
        let reader = LittleEndianReader(bytes: bytes)
        let searchStart = max(0, bytes.count - 22 - 65_535)
        guard bytes.count >= 22,
              let end = stride(from: bytes.count - 22, through: searchStart, by: -1).first(where: { reader.uint32($0) == 0x0605_4B50 })
        else { throw Self.invalid("no end of central directory record (not a zip, or cut short)") }
        let count = Int(reader.uint16(end + 10)), directorySize = Int(reader.uint32(end + 12)), directoryOffset = Int(reader.uint32(end + 16))
        if count == 0xFFFF || directoryOffset == 0xFFFF_FFFF { throw Self.invalid("ZIP64 archives are not supported") }
        guard count <= maxEntries else { throw Self.invalid("the archive has \(count) entries; the limit is \(maxEntries)") }
        guard directoryOffset + directorySize <= end else { throw Self.invalid("the central directory lies outside the archive") }
        var entries: [Entry] = []
        var offset = directoryOffset
        for _ in 0..<count {
            guard offset + 46 <= end, reader.uint32(offset) == 0x0201_4B50 else { throw Self.invalid("a central directory entry is corrupt") }
            let flags = reader.uint16(offset + 8)
            let nameLength = Int(reader.uint16(offset + 28)), extraLength = Int(reader.uint16(offset + 30)), commentLength = Int(reader.uint16(offset + 32))
            guard offset + 46 + nameLength <= end else { throw Self.invalid("a central directory entry is corrupt") }
            let name = String(decoding: bytes[(offset + 46)..<(offset + 46 + nameLength)], as: UTF8.self)
            guard flags & 1 == 0 else { throw Self.invalid("entry '\(name.prefix(128))' is encrypted") }
            let entry = Entry(
                name: name, size: Int(reader.uint32(offset + 24)), method: reader.uint16(offset + 10),
                compressedSize: Int(reader.uint32(offset + 20)), crc32: reader.uint32(offset + 16), localHeaderOffset: Int(reader.uint32(offset + 42)))
            if entry.size == 0xFFFF_FFFF || entry.compressedSize == 0xFFFF_FFFF || entry.localHeaderOffset == 0xFFFF_FFFF {
                throw Self.invalid("ZIP64 archives are not supported")
            }
            entries.append(entry)
            offset += 46 + nameLength + extraLength + commentLength
        }
        self.entries = entries
    }

    /// The entry's bytes. `maxBytes` caps what a declared size may ask for.
    public func contents(of entry: Entry, maxBytes: Int) throws -> [UInt8] {
        let reader = LittleEndianReader(bytes: bytes)
        let header = entry.localHeaderOffset
        guard header + 30 <= bytes.count, reader.uint32(header) == 0x0403_4B50 else {
            throw Self.invalid("entry '\(entry.name.prefix(128))' has no local header where the directory says")
        }
        let start = header + 30 + Int(reader.uint16(header + 26)) + Int(reader.uint16(header + 28))
        guard start + entry.compressedSize <= bytes.count else { throw Self.invalid("entry '\(entry.name.prefix(128))' is cut short") }
        guard entry.size <= maxBytes else {
            throw KilnError(.payloadTooLarge, "entry '\(entry.name.prefix(128))' unpacks to \(entry.size) bytes; the limit is \(maxBytes)")
        }
        let stored = bytes[start..<(start + entry.compressedSize)]
        let unpacked: [UInt8]
        switch entry.method {
        case 0:
            unpacked = Array(stored)
        case 8:
            do {
                // The declared size caps the output: an entry that inflates past it is corrupt.
                unpacked = try Inflate.decompress(stored, wrapper: .raw, maxBytes: max(entry.size, 1), expectedBytes: entry.size)
            } catch {
                throw Self.invalid("entry '\(entry.name.prefix(128))' does not inflate (\(error))")
            }
        default:
            throw Self.invalid("entry '\(entry.name.prefix(128))' uses compression method \(entry.method); only store and deflate are supported")
        }
        guard unpacked.count == entry.size, Inflate.crc32(unpacked) == entry.crc32 else {
            throw Self.invalid("entry '\(entry.name.prefix(128))' fails its size or CRC-32 check")
        }
        return unpacked
    }

    static func invalid(_ message: String) -> KilnError { KilnError(.invalidZip, message) }
}

private struct LittleEndianReader {
    let bytes: [UInt8]

    func uint16(_ at: Int) -> UInt16 { UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8 }
    func uint32(_ at: Int) -> UInt32 { UInt32(uint16(at)) | UInt32(uint16(at + 2)) << 16 }
}
