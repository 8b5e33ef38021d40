import Dicom
import KilnCore
import Nifti
import ZlibCodec

/// What `POST /predict/mri_segmentation` accepts, made into the NIfTI file the job segments: a
/// NIfTI volume as it is (checked here, so a bad file is a 422 before anything is queued), or a
/// zip of one DICOM series, stacked into a volume with the series' geometry and stored as NIfTI
/// — so the job, the mask and its affine are the same for both.
struct MRIUpload {
    static let maxVoxels = 512 * 512 * 512
    /// Bounds what a zip may unpack to in all (a 512³ int16 series is 256 MiB of pixels).
    static let maxUnpackedBytes = 1 << 30
    let dicom: DicomEngine

    func niftiFile(from upload: [UInt8]) throws -> [UInt8] {
        guard ZipArchive.isZip(upload) else {
            _ = try NiftiVolume.read(upload, maxVoxels: Self.maxVoxels)
            return upload
        }
        let archive = try ZipArchive(upload)
        let entries = archive.entries.filter { entry in
            let last = entry.name.split(separator: "/").last.map(String.init) ?? ""
            return !entry.isDirectory && !entry.name.hasPrefix("__MACOSX/") && !last.hasPrefix(".")
        }
        let declared = entries.reduce(0) { $0 + $1.size }
        guard declared <= Self.maxUnpackedBytes else {
            throw KilnError(.payloadTooLarge, "the archive unpacks to \(declared) bytes; the limit is \(Self.maxUnpackedBytes)")
        }
        let files = try entries.map { ($0.name, try archive.contents(of: $0, maxBytes: Self.maxUnpackedBytes)) }
        let series = try DicomSeriesVolume.assemble(files, runtime: try dicom.get(), maxVoxels: Self.maxVoxels)
        return try NiftiVolumeWriter.float32(
            series.values, dimensions: series.dimensions, spacing: series.spacing, affine: series.affine,
            description: "Kiln: stacked from a DICOM series")
    }
}
