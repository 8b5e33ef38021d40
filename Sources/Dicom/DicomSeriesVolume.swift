import Foundation
import KilnCore

/// One DICOM series (single-frame images of one `SeriesInstanceUID`) stacked into a volume, with
/// its geometry from the image plane attributes: slices sorted along the plane's normal, spacing
/// from `PixelSpacing` and the slice positions, and the voxel → patient affine converted from
/// DICOM's LPS to NIfTI's RAS.
///
/// Refused with `invalid_dicom_series` (422): no images, several series, a multi-frame image,
/// slices of different sizes or orientations, missing plane attributes, two slices at one
/// position, or slice gaps that differ by more than 1 %. Files that are not DICOM at all
/// and DICOM files without an image (a DICOMDIR) are skipped; a DICOM image that cannot be decoded is
/// refused with its own code and the file's name.
public struct DicomSeriesVolume: Sendable {
    /// Columns, rows, slices; column index fastest in `values`.
    public var dimensions: [Int]
    /// Millimetres between columns, rows and slices.
    public var spacing: [Double]
    /// Modality values (rescale applied).
    public var values: [Float]
    /// Voxel → world (RAS+, mm), rows of 4.
    public var affine: [[Double]]

    private struct Slice {
        var name: String
        var position: [Double]
        var pixels: [Float]
    }

    /// - Parameter files: the series' files by name (e.g. a zip's entries).
    public static func assemble(_ files: [(name: String, bytes: [UInt8])], runtime: DicomRuntime, maxVoxels: Int) throws -> DicomSeriesVolume {
        var slices: [Slice] = []
        var series: Set<String> = []
        var plane: (rows: Int, columns: Int, orientation: [Double], pixelSpacing: [Double])?
        for (name, bytes) in files {
            let file: DicomFile
            do {
                file = try runtime.read(Data(bytes))
            } catch let error as KilnError where error.code == .notDicom {
                continue
            }
            let shown = name.prefix(128)
            let info: DicomImageInfo
            do {
                info = try file.imageInfo()
            } catch let error as KilnError where error.code == .undecodableImage {
                continue  // no image in it: a DICOMDIR, a structured report, …
            }
            guard info.frames == 1 else { throw invalid("'\(shown)' has \(info.frames) frames; a series must be single-frame images (or send NIfTI)") }
            let orientation = file.numbers(.imageOrientationPatient), position = file.numbers(.imagePositionPatient)
            let pixelSpacing = file.numbers(.pixelSpacing)
            guard orientation.count == 6, position.count == 3, pixelSpacing.count == 2, pixelSpacing.allSatisfy({ $0 > 0 }) else {
                throw invalid("'\(shown)' lacks ImagePositionPatient, ImageOrientationPatient or PixelSpacing, so its place in the volume is unknown")
            }
            if let plane {
                guard plane.rows == info.rows, plane.columns == info.columns else {
                    throw invalid("'\(shown)' is \(info.columns)×\(info.rows); the series' other images are \(plane.columns)×\(plane.rows)")
                }
                guard zip(plane.orientation, orientation).allSatisfy({ abs($0 - $1) < 1e-3 }),
                      zip(plane.pixelSpacing, pixelSpacing).allSatisfy({ abs($0 - $1) < 1e-3 }) else {
                    throw invalid("'\(shown)' has another orientation or pixel spacing than the series' other images")
                }
            } else {
                plane = (info.rows, info.columns, orientation, pixelSpacing)
            }
            series.insert(file.string(.seriesInstanceUID) ?? "")
            guard series.count == 1 else { throw invalid("the archive holds more than one series; send one series per request") }
            let voxels = info.rows * info.columns * (slices.count + 1)
            guard voxels <= maxVoxels else { throw KilnError(.payloadTooLarge, "the series has more than \(maxVoxels) voxels") }
            do {
                slices.append(Slice(name: name, position: position, pixels: try file.decodeFrame(0)))
            } catch let error as KilnError {
                throw KilnError(error.code, "'\(shown)': \(error.message)")
            }
        }
        guard let plane, slices.count >= 2 else {
            throw invalid(slices.isEmpty ? "the archive holds no DICOM images" : "the series has one image; a volume needs at least two slices")
        }
        let rowDirection = Array(plane.orientation[0..<3]), columnDirection = Array(plane.orientation[3..<6])
        let normal = cross(rowDirection, columnDirection)
        slices.sort { dot($0.position, normal) < dot($1.position, normal) }
        let distances = slices.map { dot($0.position, normal) }
        let gaps = zip(distances.dropFirst(), distances).map { $0 - $1 }
        guard let smallest = gaps.min(), smallest > 1e-3 else { throw invalid("two images lie at the same position; is one of them a duplicate?") }
        let largest = gaps.max() ?? smallest
        guard largest - smallest <= 0.01 * smallest else {
            throw invalid("the slices are not evenly spaced (gaps \(String(format: "%.3f", smallest))…\(String(format: "%.3f", largest)) mm); a missing slice?")
        }
        let first = slices[0].position, last = slices[slices.count - 1].position
        let step = (0..<3).map { (last[$0] - first[$0]) / Double(slices.count - 1) }
        // PixelSpacing is (between rows, between columns); the column index moves along the row direction.
        let columnStep = rowDirection.map { $0 * plane.pixelSpacing[1] }, rowStep = columnDirection.map { $0 * plane.pixelSpacing[0] }
        let lps = (0..<3).map { axis in [columnStep[axis], rowStep[axis], step[axis], first[axis]] }
        // LPS → RAS: negate the first two world axes.
        let affine = lps.enumerated().map { axis, row in axis < 2 ? row.map { -$0 } : row } + [[0, 0, 0, 1]]
        return DicomSeriesVolume(
            dimensions: [plane.columns, plane.rows, slices.count],
            spacing: [plane.pixelSpacing[1], plane.pixelSpacing[0], (step.map { $0 * $0 }.reduce(0, +)).squareRoot()],
            values: slices.flatMap(\.pixels), affine: affine)
    }

    static func invalid(_ message: String) -> KilnError { KilnError(.invalidDicomSeries, message) }
    static func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).map(*).reduce(0, +) }
    static func cross(_ a: [Double], _ b: [Double]) -> [Double] {
        [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
    }
}
