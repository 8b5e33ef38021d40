/// Writes a float32 volume as a fresh little-endian NIfTI-1 file whose geometry is given by an
/// affine (RAS+, mm), stored as the sform ("scanner" code) — for volumes that did not come from
/// a NIfTI file, such as a DICOM series. Read back, it has exactly this affine and spacing.
public enum NiftiVolumeWriter {
    /// - Parameters:
    ///   - values: x fastest, `dimensions` x·y·z of them.
    ///   - affine: voxel → world, 3 or 4 rows of 4.
    public static func float32(
        _ values: [Float], dimensions: [Int], spacing: [Double], affine: [[Double]], description: String, gzip: Bool = true
    ) throws -> [UInt8] {
        precondition(dimensions.count == 3 && values.count == dimensions.reduce(1, *), "a value per voxel")
        var header = NiftiHeaderBytes()
        header.put(348, at: 0, size: 4)                                   // sizeof_hdr
        for (axis, size) in ([3] + dimensions + [1, 1, 1, 1]).enumerated() { header.putInt16(size, at: 40 + 2 * axis) }
        header.putInt16(16, at: 70)                                       // datatype float32
        header.putInt16(32, at: 72)                                       // bitpix
        for (index, value) in ([1] + spacing + [1, 0, 0, 0]).enumerated() { header.putFloat(value, at: 76 + 4 * index) }
        header.putFloat(352, at: 108)                                     // vox_offset
        header.bytes[123] = 2                                             // xyzt_units: millimetres
        header.putDescription(description)
        header.putInt16(1, at: 254)                                       // sform_code: scanner
        for row in 0..<3 { for column in 0..<4 { header.putFloat(affine[row][column], at: 280 + 16 * row + 4 * column) } }
        for (index, byte) in "n+1\0".utf8.enumerated() { header.bytes[344 + index] = byte }
        var file = header.bytes
        file.reserveCapacity(352 + values.count * 4)
        for value in values {
            let bits = value.bitPattern
            file.append(contentsOf: [UInt8(truncatingIfNeeded: bits), UInt8(truncatingIfNeeded: bits >> 8),
                                     UInt8(truncatingIfNeeded: bits >> 16), UInt8(truncatingIfNeeded: bits >> 24)])
        }
        return gzip ? try Gzip.compress(file) : file
    }
}
