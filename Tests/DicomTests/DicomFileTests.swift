import Dicom
import Foundation
import KilnCore
import Testing

/// Reads the public test files in Tests/Fixtures/dicom (see Tests/Fixtures/LICENSES.md) through DCMTK.
struct DicomFileTests {
    /// This file is Tests/DicomTests/DicomFileTests.swift: three folders up is the repository root.
    static let dataDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Tests/Fixtures/dicom").standardizedFileURL

    let runtime: DicomRuntime

    init() throws {
        runtime = try DicomRuntime()
    }

    func file(_ name: String) throws -> DicomFile {
        try runtime.read(Data(contentsOf: Self.dataDirectory.appendingPathComponent(name)))
    }

    @Test func ctSliceDecodesToHounsfieldUnits() throws {
        let ct = try file("CT_small.dcm")
        let info = try ct.imageInfo()
        #expect(info.rows == 128 && info.columns == 128 && info.frames == 1)
        #expect(ct.string(.modality) == "CT")
        #expect(ct.numbers(.pixelSpacing).count == 2)
        let hu = try ct.decodeFrame(0)
        // raw 128...2191 with intercept -1024 (LICENSES.md, measured with pydicom)
        #expect(hu.min() == -896 && hu.max() == 1167)
    }

    @Test func rleDecodesLikeTheUncompressedFile() throws {
        let plain = try file("MR_small.dcm").decodeFrame(0)
        let rle = try file("MR_small_RLE.dcm")
        #expect(try rle.imageInfo().transferSyntaxUID == "1.2.840.10008.1.2.5")
        #expect(try rle.decodeFrame(0) == plain)
        #expect(plain.min() == 127 && plain.max() == 2145)
    }

    /// MR_small_RLE.dcm with its RLE header changed: a segment offset past the fragment (the
    /// input fuzz-dicom found, on which DCMTK's RLE decoder read out of bounds and crashed the
    /// process), too many segments, a first segment not at byte 64. Each is refused.
    @Test func malformedRLEHeadersAreRefusedBeforeDCMTKReadsThem() throws {
        let original = try Array(Data(contentsOf: Self.dataDirectory.appendingPathComponent("MR_small_RLE.dcm")))
        let header: [UInt8] = [0x02, 0, 0, 0, 0x40, 0, 0, 0, 0x9C, 0x07, 0, 0]  // 2 segments at 64 and 1948
        let at = try #require((0...(original.count - header.count)).first { Array(original[$0..<($0 + header.count)]) == header })
        for (offset, patch) in [(8, [0x9C, 0x4F, 0x57, 0x00]), (0, [16, 0, 0, 0]), (4, [0x41, 0, 0, 0])] as [(Int, [UInt8])] {
            var bytes = original
            bytes.replaceSubrange((at + offset)..<(at + offset + 4), with: patch)
            let file = try runtime.read(Data(bytes))
            #expect(errorCode { _ = try file.decodeFrame(0) } == ErrorCode.undecodableImage, "patch at \(offset)")
        }
        #expect(try runtime.read(Data(original)).decodeFrame(0).count == 64 * 64)
    }

    @Test func jpegBaselineColourMultiFrameBecomesLuminance() throws {
        let cine = try file("examples_ybr_color.dcm")
        let info = try cine.imageInfo()
        #expect(info.frames == 30 && info.samplesPerPixel == 3 && info.rows == 240 && info.columns == 320)
        let middle = try cine.decodeFrame(15)
        #expect(middle.count == 240 * 320)
        #expect(middle.max()! > middle.min()!)
        #expect(throws: KilnError.self) { try cine.decodeFrame(30) }
    }

    @Test func refusalsSayWhichProblem() throws {
        #expect(try errorCode { try file("MR_truncated.dcm").decodeFrame(0) } == ErrorCode.truncatedDicom)
        #expect(try errorCode { try file("MR_small_jp2klossless.dcm").decodeFrame(0) } == ErrorCode.unsupportedTransferSyntax)
        #expect(errorCode { _ = try runtime.read(Data("not a dicom file at all, just some text".utf8)) } == ErrorCode.notDicom)
        #expect(errorCode { _ = try runtime.read(Data(repeating: 0, count: 10)) } == ErrorCode.notDicom)
    }

    @Test func deidentifiedCopyKeepsPixelsAndDropsIdentity() throws {
        let ct = try file("CT_small.dcm")
        #expect(ct.string(.patientName)?.isEmpty == false)
        let originalUID = try #require(ct.string(.sopInstanceUID))
        let pixels = try ct.decodeFrame(0)
        try DicomDeidentifier().apply(to: ct, pseudonym: "KILN-1")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-deid-\(UUID().uuidString).dcm").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try ct.save(to: path)

        let stored = try runtime.read(Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(stored.string(.patientName) == "KILN-1")
        #expect(stored.string(.patientID) == "KILN-1")
        #expect(stored.string(.patientBirthDate) == nil)
        #expect(stored.string(DicomTag(0x0008, 0x0080)) == nil)  // institution name
        #expect(stored.string(DicomTag(0x0012, 0x0062)) == "YES")
        let newUID = try #require(stored.string(.sopInstanceUID))
        #expect(newUID != originalUID && newUID.hasPrefix("2.25."))
        #expect(try stored.decodeFrame(0) == pixels)
    }

    @Test func compressedFileIsStoredInItsOwnEncoding() throws {
        let rle = try file("MR_small_RLE.dcm")
        let pixels = try rle.decodeFrame(0)
        try DicomDeidentifier().apply(to: rle, pseudonym: "P")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-deid-\(UUID().uuidString).dcm").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try rle.save(to: path)
        let stored = try runtime.read(Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(try stored.imageInfo().transferSyntaxUID == "1.2.840.10008.1.2.5")
        #expect(try stored.decodeFrame(0) == pixels)
    }

    @Test func uidRootIsDecimalOfTheBytes() {
        #expect(DicomDeidentifier.decimal([0x01, 0x00]) == "256")
        #expect(DicomDeidentifier.decimal([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]) == "4722366482869645213695")
    }

    private func errorCode(_ body: () throws -> Void) -> ErrorCode? {
        do {
            try body()
            return nil
        } catch let error as KilnError {
            return error.code
        } catch {
            return .internal
        }
    }
}
