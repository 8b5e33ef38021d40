import Foundation
import KilnCore
@testable import Nifti
import Testing

/// Reads the public NIfTI files in Tests/Fixtures/nifti (see Tests/Fixtures/LICENSES.md). Expected
/// facts are nibabel 5.3's for the same files.
@Suite struct NiftiVolumeTests {
    /// This file is Tests/NiftiTests/NiftiVolumeTests.swift: three folders up is the repository root.
    static let dataDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Tests/Fixtures/nifti").standardizedFileURL

    static func file(_ name: String) throws -> [UInt8] {
        try Array(Data(contentsOf: dataDirectory.appendingPathComponent(name)))
    }

    @Test func bigEndianInt16VolumeMatchesNibabel() throws {
        let volume = try NiftiVolume.read(try Self.file("anatomical.nii"))
        #expect(volume.dimensions == [33, 41, 25])
        #expect(volume.spacing == [2, 2, 2])
        #expect(volume.isBigEndian)
        #expect(volume.datatype == 4)
        #expect(volume.orientation == "LAS")
        #expect(volume.affine[0] == [-2, 0, 0, 32] && volume.affine[1] == [0, 2, 0, -40] && volume.affine[2] == [0, 0, 2, -16])
        #expect(volume.values.min() == -610 && volume.values.max() == 30393)
        let mean = volume.values.reduce(0.0) { $0 + Double($1) } / Double(volume.voxelCount)
        #expect(abs(mean - 8401.0667) < 1e-3)
    }

    @Test func float32VolumeMatchesNibabel() throws {
        let volume = try NiftiVolume.read(try Self.file("reoriented_anat_moved.nii"))
        #expect(volume.dimensions == [21, 26, 22])
        #expect(volume.spacing == [4, 4, 4])
        #expect(volume.orientation == "RAS")
        #expect(abs(volume.affine[0][3] - -35.2979) < 1e-3)
        #expect(abs(Double(volume.values.max()!) - 21199.9355) < 1e-2)
        #expect(abs(volume.voxelVolumeML - 0.064) < 1e-12)
    }

    @Test func gzipAndMaskRoundTripKeepGeometry() throws {
        let source = try NiftiVolume.read(try Self.file("anatomical.nii"))
        let compressed = try Gzip.compress(try Self.file("anatomical.nii"))
        let reread = try NiftiVolume.read(compressed)
        #expect(reread.values == source.values)
        let labels = source.values.map { $0 > 10_000 ? UInt8(1) : 0 }
        for gzip in [true, false] {
            let mask = try NiftiVolume.read(try NiftiLabelMask.encode(labels, like: source, description: "test", gzip: gzip))
            #expect(mask.dimensions == source.dimensions)
            #expect(mask.affine == source.affine)
            #expect(mask.isBigEndian == source.isBigEndian)
            #expect(mask.datatype == 2)
            #expect(mask.values == labels.map(Float.init))
        }
    }

    @Test func badFilesAreRefusedWithTheirCodes() throws {
        let good = try Self.file("reoriented_anat_moved.nii")
        func code(_ bytes: [UInt8]) -> ErrorCode? {
            do { _ = try NiftiVolume.read(bytes); return nil } catch let error as KilnError { return error.code } catch { return nil }
        }
        #expect(code(Array("not a volume".utf8)) == ErrorCode.notNifti)
        #expect(code(Array(repeating: 0, count: 400)) == ErrorCode.notNifti)
        #expect(code(Array(good.prefix(good.count - 100))) == ErrorCode.notNifti)           // truncated data
        #expect(code(Array(try Gzip.compress(good).prefix(2000))) == ErrorCode.notNifti)     // truncated gzip
        var pair = good
        pair.replaceSubrange(344..<348, with: Array("ni1\0".utf8))
        #expect(code(pair) == ErrorCode.unsupportedNifti)
        var complex = good
        complex[70] = 32; complex[71] = 0                                         // little-endian datatype 32: complex64
        #expect(code(complex) == ErrorCode.unsupportedNifti)
        var nifti2 = good
        nifti2.replaceSubrange(0..<4, with: [0x1C, 0x02, 0, 0])                  // sizeof_hdr 540
        #expect(code(nifti2) == ErrorCode.unsupportedNifti)
        #expect(code(good) == nil)
        #expect(throws: KilnError.self) { try NiftiVolume.read(good, maxVoxels: 1000) }
        // vox_offset (a float) that is NaN, infinite or past Int either way: refused, once a trap (fuzz-nifti, twice).
        for offset: Float in [.nan, .infinity, -.infinity, 1e30, -1e30] {
            var odd = good
            withUnsafeBytes(of: offset.bitPattern.littleEndian) { odd.replaceSubrange(108..<112, with: $0) }
            #expect(code(odd) == ErrorCode.notNifti, "vox_offset \(offset)")
        }
    }

    /// A volume written from scratch (as a DICOM series becomes one) reads back with its values,
    /// spacing and affine, and its orientation follows the affine.
    @Test func aWrittenFloatVolumeReadsBackWithItsAffine() throws {
        let values = (0..<(4 * 3 * 2)).map { Float($0) * 0.25 - 1 }
        let affine: [[Double]] = [[-1.5, 0, 0, 40], [0, -1.25, 0, 30], [0, 0, 2, -10], [0, 0, 0, 1]]
        for gzip in [true, false] {
            let file = try NiftiVolumeWriter.float32(values, dimensions: [4, 3, 2], spacing: [1.5, 1.25, 2], affine: affine,
                                                     description: "test", gzip: gzip)
            let volume = try NiftiVolume.read(file)
            #expect(volume.dimensions == [4, 3, 2] && volume.spacing == [1.5, 1.25, 2] && volume.values == values)
            #expect(volume.affine == affine && volume.orientation == "LPS" && volume.datatype == 16)
        }
    }
}
