/// Writes a uint8 label volume as NIfTI-1 with the geometry of the volume it was computed from:
/// the input's header is copied (dimensions, pixdim, qform, sform, units, byte order) and only
/// the fields that describe the data change.
public enum NiftiLabelMask {
    /// - Parameters:
    ///   - labels: one label per voxel of `reference`, x fastest.
    ///   - gzip: write `.nii.gz` bytes rather than `.nii`.
    public static func encode(_ labels: [UInt8], like reference: NiftiVolume, description: String, gzip: Bool = true) throws -> [UInt8] {
        precondition(labels.count == reference.voxelCount, "a label per voxel")
        var header = NiftiHeaderBytes(copying: reference.header, bigEndian: reference.isBigEndian)
        header.putInt16(3, at: 40)                          // dim[0]: one 3-D volume
        for axis in 4...7 { header.putInt16(1, at: 40 + 2 * axis) }
        header.putInt16(1002, at: 68)                       // intent_code NIFTI_INTENT_LABEL
        header.putInt16(2, at: 70)                          // datatype uint8
        header.putInt16(8, at: 72)                          // bitpix
        header.putFloat(352, at: 108)                       // vox_offset: header + 4 extension bytes
        header.putFloat(0, at: 112)                         // scl_slope 0: values are stored labels
        header.putFloat(0, at: 116)
        header.putFloat(Double(labels.max() ?? 0), at: 124) // cal_max
        header.putFloat(0, at: 128)                         // cal_min
        header.putDescription(description)
        let file = header.bytes + [0, 0, 0, 0] + labels
        return gzip ? try Gzip.compress(file) : file
    }
}
