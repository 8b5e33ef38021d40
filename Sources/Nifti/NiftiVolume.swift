import KilnCore

/// A 3-D scalar volume read from a single-file NIfTI-1 image (`.nii`, or gzip-compressed
/// `.nii.gz`), in either byte order. The original header is kept: a label mask written from it
/// (`NiftiLabelMask`) has exactly the input's geometry — dimensions, spacing, qform and sform.
///
/// Read: data types uint8/int8/int16/uint16/int32/uint32/float32/float64, with `scl_slope`/
/// `scl_inter` applied. A 4-D file yields its first volume. Refused (422): anything that is not
/// NIfTI-1 (`not_nifti`), NIfTI-2, header/image pairs, complex or RGB data (`unsupported_nifti`).
public struct NiftiVolume: Sendable {
    /// Voxels along x, y, z; x varies fastest in `values`.
    public var dimensions: [Int]
    /// Voxel size in millimetres along x, y, z (absolute `pixdim[1...3]`).
    public var spacing: [Double]
    /// Intensities after scaling.
    public var values: [Float]
    /// The NIfTI data type code of the stored voxels (e.g. 4 = int16, 16 = float32).
    public var datatype: Int
    /// Voxel → world (RAS+, mm) affine, rows of 4: the sform when set, else the qform, else
    /// the spacing alone (NIfTI's "method 1").
    public var affine: [[Double]]
    /// Time points or other 4th-dimension entries in the file (only the first is read).
    public var volumes: Int
    public var isBigEndian: Bool
    /// The 348-byte header as stored.
    let header: [UInt8]

    public var voxelCount: Int { dimensions.reduce(1, *) }
    /// Millilitres per voxel.
    public var voxelVolumeML: Double { spacing.reduce(1, *) / 1000 }

    /// Axis codes nibabel would report (`aff2axcodes`): the world direction each voxel axis
    /// increases towards, e.g. `RAS` or `LAS`.
    public var orientation: String {
        (0..<3).map { column -> String in
            let components = (0..<3).map { affine[$0][column] }
            let axis = components.indices.max { abs(components[$0]) < abs(components[$1]) }!
            let positive = components[axis] >= 0
            return [["R", "L"], ["A", "P"], ["S", "I"]][axis][positive ? 0 : 1]
        }.joined()
    }

    /// - Parameter maxVoxels: a larger volume is refused before its data are read.
    public static func read(_ file: [UInt8], maxVoxels: Int = 512 * 512 * 512) throws -> NiftiVolume {
        let bytes = Gzip.isGzip(file) ? try Gzip.decompress(file, maxBytes: 352 + maxVoxels * 8) : file
        guard bytes.count >= 348 else { throw KilnError(.notNifti, "the file is too short to be NIfTI (\(bytes.count) bytes)") }
        let little = HeaderReader(bytes: bytes, bigEndian: false), big = HeaderReader(bytes: bytes, bigEndian: true)
        let reader: HeaderReader
        switch (little.int32(0), big.int32(0)) {
        case (348, _): reader = little
        case (_, 348): reader = big
        case (540, _), (_, 540): throw KilnError(.unsupportedNifti, "NIfTI-2 files are not supported; save the volume as NIfTI-1")
        default: throw KilnError(.notNifti, "the file is not NIfTI (no 348-byte header)")
        }
        let magic = bytes[344..<348]
        guard magic.elementsEqual(Array("n+1\0".utf8)) else {
            if magic.elementsEqual(Array("ni1\0".utf8)) {
                throw KilnError(.unsupportedNifti, "a .hdr/.img pair cannot be uploaded; save the volume as a single .nii file")
            }
            throw KilnError(.notNifti, "the header has no NIfTI-1 magic (an ANALYZE 7.5 file?)")
        }
        let rank = Int(reader.int16(40))
        guard (1...7).contains(rank) else { throw KilnError(.notNifti, "the header's dim[0] is \(rank); it must be 1…7") }
        let dim = (1...7).map { $0 <= rank ? Int(reader.int16(40 + 2 * $0)) : 1 }
        guard dim.allSatisfy({ $0 >= 1 }) else { throw KilnError(.notNifti, "the header has a non-positive dimension: \(dim.prefix(rank))") }
        let dimensions = Array(dim[0..<3])
        let voxels = dimensions.reduce(1, *)
        guard voxels <= maxVoxels else { throw KilnError(.payloadTooLarge, "the volume has \(voxels) voxels; the limit is \(maxVoxels)") }
        let datatype = Int(reader.int16(70))
        guard let type = VoxelType(rawValue: datatype) else {
            throw KilnError(.unsupportedNifti, "NIfTI data type \(datatype) is not supported (scalar integer or float types are)")
        }
        // vox_offset is a float: NaN, infinite or huge must be refused, not converted (a trap; found by fuzz-nifti).
        let rawOffset = reader.float32(108)
        guard rawOffset.isFinite, rawOffset.magnitude < Float(Int32.max) else { throw KilnError(.notNifti, "vox_offset \(rawOffset) is not a byte offset") }
        let offset = Int(rawOffset)
        guard offset >= 348 else { throw KilnError(.notNifti, "vox_offset \(offset) points into the header") }
        guard bytes.count >= offset + voxels * type.size else {
            throw KilnError(.notNifti, "the file is truncated: \(voxels) voxels need \(offset + voxels * type.size) bytes, it has \(bytes.count)")
        }
        var values = type.decode(bytes, offset: offset, count: voxels, reader: reader)
        let slope = reader.float32(112), intercept = reader.float32(116)
        if slope != 0, slope.isFinite, intercept.isFinite, slope != 1 || intercept != 0 {
            for index in values.indices { values[index] = values[index] * slope + intercept }
        }
        let pixdim = (0...7).map { Double(reader.float32(76 + 4 * $0)) }
        let spacing = (1...3).map { abs(pixdim[$0]) > 0 && pixdim[$0].isFinite ? abs(pixdim[$0]) : 1 }
        return NiftiVolume(
            dimensions: dimensions, spacing: spacing, values: values, datatype: datatype,
            affine: affine(reader, pixdim: pixdim, spacing: spacing), volumes: dim[3...].reduce(1, *),
            isBigEndian: reader.bigEndian, header: Array(bytes[0..<348]))
    }

    static func affine(_ reader: HeaderReader, pixdim: [Double], spacing: [Double]) -> [[Double]] {
        if reader.int16(254) > 0 {
            return (0..<3).map { row in (0..<4).map { Double(reader.float32(280 + 16 * row + 4 * $0)) } } + [[0, 0, 0, 1]]
        }
        guard reader.int16(252) > 0 else {
            return [[spacing[0], 0, 0, 0], [0, spacing[1], 0, 0], [0, 0, spacing[2], 0], [0, 0, 0, 1]]
        }
        // NIfTI-1 quaternion → rotation (nifti1.h, "method 2").
        let b = Double(reader.float32(256)), c = Double(reader.float32(260)), d = Double(reader.float32(264))
        let a = max(0, 1 - (b * b + c * c + d * d)).squareRoot()
        let rotation = [
            [a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
            [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
            [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b],
        ]
        let qfac: Double = pixdim[0] < 0 ? -1 : 1
        let scale = [spacing[0], spacing[1], spacing[2] * qfac]
        let offset = [reader.float32(268), reader.float32(272), reader.float32(276)].map(Double.init)
        return (0..<3).map { row in (0..<3).map { rotation[row][$0] * scale[$0] } + [offset[row]] } + [[0, 0, 0, 1]]
    }
}

/// Reads header fields in the file's byte order.
struct HeaderReader {
    let bytes: [UInt8]
    let bigEndian: Bool

    func uint(_ offset: Int, _ size: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in 0..<size {
            let byte = UInt64(bytes[offset + (bigEndian ? index : size - 1 - index)])
            value = value << 8 | byte
        }
        return value
    }

    func int16(_ offset: Int) -> Int16 { Int16(truncatingIfNeeded: uint(offset, 2)) }
    func int32(_ offset: Int) -> Int32 { Int32(truncatingIfNeeded: uint(offset, 4)) }
    func float32(_ offset: Int) -> Float { Float(bitPattern: UInt32(truncatingIfNeeded: uint(offset, 4))) }
}

/// The scalar NIfTI data types Kiln reads.
enum VoxelType: Int {
    case uint8 = 2, int16 = 4, int32 = 8, float32 = 16, float64 = 64, int8 = 256, uint16 = 512, uint32 = 768

    var size: Int {
        switch self {
        case .uint8, .int8: 1
        case .int16, .uint16: 2
        case .int32, .uint32, .float32: 4
        case .float64: 8
        }
    }

    func decode(_ bytes: [UInt8], offset: Int, count: Int, reader: HeaderReader) -> [Float] {
        let size = self.size
        return (0..<count).map { index in
            let raw = reader.uint(offset + index * size, size)
            switch self {
            case .uint8, .uint16, .uint32: return Float(raw)
            case .int8: return Float(Int8(truncatingIfNeeded: raw))
            case .int16: return Float(Int16(truncatingIfNeeded: raw))
            case .int32: return Float(Int32(truncatingIfNeeded: raw))
            case .float32: return Float(bitPattern: UInt32(truncatingIfNeeded: raw))
            case .float64: return Float(Double(bitPattern: raw))
            }
        }
    }
}
