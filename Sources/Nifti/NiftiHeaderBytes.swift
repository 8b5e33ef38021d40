/// A NIfTI-1 header being filled in, in the file's byte order: the one place the two writers
/// (a fresh float volume, a label mask over another file's header) put numbers and the
/// description into the 348 header bytes.
struct NiftiHeaderBytes {
    var bytes: [UInt8]
    let bigEndian: Bool

    /// A fresh little-endian header, all zero, with the 4 extension bytes after it.
    init() {
        self.init(copying: [UInt8](repeating: 0, count: 352), bigEndian: false)
    }

    /// Another file's header, to change only some fields.
    init(copying header: [UInt8], bigEndian: Bool) {
        self.bytes = header
        self.bigEndian = bigEndian
    }

    mutating func put(_ value: UInt64, at offset: Int, size: Int) {
        for index in 0..<size {
            let shift = UInt64(8 * (bigEndian ? size - 1 - index : index))
            bytes[offset + index] = UInt8(truncatingIfNeeded: value >> shift)
        }
    }

    mutating func putInt16(_ value: Int, at offset: Int) { put(UInt64(UInt16(truncatingIfNeeded: value)), at: offset, size: 2) }

    mutating func putFloat(_ value: Double, at offset: Int) { put(UInt64(Float(value).bitPattern), at: offset, size: 4) }

    /// `descrip`: at most 79 bytes of UTF-8, NUL-padded to its 80.
    mutating func putDescription(_ text: String) {
        let utf8 = Array(text.utf8.prefix(79))
        for index in 0..<80 { bytes[148 + index] = index < utf8.count ? utf8[index] : 0 }
    }
}
