/// Writes a uint8 label volume as NIfTI-1 with the geometry of the volume it was computed from:
/// the input's header is copied (dimensions, pixdim, qform, sform, units, byte order) and only
/// the fields that describe the data change.
public enum NiftiLabelMask {
    /// - Parameters:
    ///   - labels: one label per voxel of `reference`, x fastest.
    ///   - gzip: write `.nii.gz` bytes rather than `.nii`.
    public static func encode(_ labels: [UInt8], like reference: NiftiVolume, description: String, gzip: Bool = true) throws -> [UInt8] {
        precondition(labels.count == reference.voxelCount, "a label per voxel")
        var header = reference.header
        let bigEndian = reference.isBigEndian
        func put(_ value: UInt64, at offset: Int, size: Int) {
            for index in 0..<size {
                let shift = UInt64(8 * (bigEndian ? size - 1 - index : index))
                header[offset + index] = UInt8(truncatingIfNeeded: value >> shift)
            }
        }
        func putInt16(_ value: Int16, at offset: Int) { put(UInt64(UInt16(bitPattern: value)), at: offset, size: 2) }
        func putFloat(_ value: Float, at offset: Int) { put(UInt64(value.bitPattern), at: offset, size: 4) }

        putInt16(3, at: 40)                                 // dim[0]: one 3-D volume
        for axis in 4...7 { putInt16(1, at: 40 + 2 * axis) }
        putInt16(1002, at: 68)                              // intent_code NIFTI_INTENT_LABEL
        putInt16(2, at: 70)                                 // datatype uint8
        putInt16(8, at: 72)                                 // bitpix
        putFloat(352, at: 108)                              // vox_offset: header + 4 extension bytes
        putFloat(0, at: 112)                                // scl_slope 0: values are stored labels
        putFloat(0, at: 116)
        putFloat(Float(labels.max() ?? 0), at: 124)         // cal_max
        putFloat(0, at: 128)                                // cal_min
        let text = Array(description.utf8.prefix(79))
        for index in 0..<80 { header[148 + index] = index < text.count ? text[index] : 0 }
        let file = header + [0, 0, 0, 0] + labels
        return gzip ? try Gzip.compress(file) : file
    }
}
