import CDicomAPI
import Foundation
import KilnCore

/// An attribute tag, `(group, element)`.
public struct DicomTag: Hashable, Sendable, CustomStringConvertible {
    public let group: UInt16
    public let element: UInt16

    public init(_ group: UInt16, _ element: UInt16) {
        self.group = group
        self.element = element
    }

    public var description: String {
        "(" + String(group, radix: 16).leftPadded(4) + "," + String(element, radix: 16).leftPadded(4) + ")"
    }

    public static let modality = DicomTag(0x0008, 0x0060)
    public static let sopInstanceUID = DicomTag(0x0008, 0x0018)
    public static let pixelSpacing = DicomTag(0x0028, 0x0030)
    public static let sliceThickness = DicomTag(0x0018, 0x0050)
    public static let rescaleSlope = DicomTag(0x0028, 0x1053)
    public static let rescaleIntercept = DicomTag(0x0028, 0x1052)
    public static let windowCenter = DicomTag(0x0028, 0x1050)
    public static let windowWidth = DicomTag(0x0028, 0x1051)
    public static let patientName = DicomTag(0x0010, 0x0010)
    public static let patientID = DicomTag(0x0010, 0x0020)
    public static let patientBirthDate = DicomTag(0x0010, 0x0030)
    public static let seriesInstanceUID = DicomTag(0x0020, 0x000E)
    public static let instanceNumber = DicomTag(0x0020, 0x0013)
    public static let imagePositionPatient = DicomTag(0x0020, 0x0032)
    public static let imageOrientationPatient = DicomTag(0x0020, 0x0037)
}

private extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

/// What the file says about its image.
public struct DicomImageInfo: Sendable, Equatable {
    public var rows: Int
    public var columns: Int
    public var frames: Int
    public var samplesPerPixel: Int
    public var bitsStored: Int
    public var isSigned: Bool
    /// A codec for the transfer syntax is available (or the data is not compressed).
    public var decodable: Bool
    public var photometricInterpretation: String
    public var transferSyntaxUID: String
    public var transferSyntaxName: String

    /// MONOCHROME1 stores bright as low values: displays invert it.
    public var invertsForDisplay: Bool { photometricInterpretation == "MONOCHROME1" }
}

/// One parsed DICOM file. Not thread-safe: use it from one task at a time.
public final class DicomFile {
    private let runtime: DicomRuntime
    private let handle: OpaquePointer

    init(runtime: DicomRuntime, handle: OpaquePointer) {
        self.runtime = runtime
        self.handle = handle
    }

    deinit { runtime.api.pointee.free_file(handle) }

    /// The attribute's value as text (multiple values joined by `\`), nil when absent.
    public func string(_ tag: DicomTag) -> String? {
        let api = runtime.api.pointee
        let length = api.get_string(handle, tag.group, tag.element, nil, 0)
        guard length >= 0 else { return nil }
        var buffer = [CChar](repeating: 0, count: Int(length) + 1)
        _ = api.get_string(handle, tag.group, tag.element, &buffer, Int32(buffer.count))
        return String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            .trimmingCharacters(in: .whitespaces)
    }

    /// Numeric values of a decimal-string attribute (`0.66\0.66` → [0.66, 0.66]).
    public func numbers(_ tag: DicomTag) -> [Double] {
        (string(tag) ?? "").split(separator: "\\").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
    }

    public func imageInfo() throws -> DicomImageInfo {
        var info = cdicom_image_info()
        var error = cdicom_error()
        guard runtime.api.pointee.image_info(handle, &info, &error) == 0 else { throw error.kilnError }
        return DicomImageInfo(
            rows: Int(info.rows), columns: Int(info.columns), frames: Int(info.frames),
            samplesPerPixel: Int(info.samples_per_pixel), bitsStored: Int(info.bits_stored), isSigned: info.is_signed != 0,
            decodable: info.decodable != 0, photometricInterpretation: CCharArray.string(info.photometric),
            transferSyntaxUID: CCharArray.string(info.transfer_syntax_uid), transferSyntaxName: CCharArray.string(info.transfer_syntax_name))
    }

    /// Frame `index` (0-based) as rows×columns modality values, row-major: rescale slope and
    /// intercept applied (Hounsfield units for CT); colour frames as luminance.
    public func decodeFrame(_ index: Int) throws -> [Float] {
        let info = try imageInfo()
        var error = cdicom_error()
        let count = info.rows * info.columns
        var status: Int32 = 0
        let values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            status = runtime.api.pointee.decode_frame(handle, Int32(index), buffer.baseAddress, Int64(count), &error)
            if status == 0 {
                initialized = count
            } else {
                initialized = 0
            }
        }
        guard status == 0 else { throw error.kilnError }
        return values
    }

    /// Removes every occurrence of `tag`, inside sequences too. True when one was there.
    @discardableResult
    public func remove(_ tag: DicomTag) -> Bool {
        runtime.api.pointee.remove_attribute(handle, tag.group, tag.element) > 0
    }

    public func set(_ tag: DicomTag, to value: String) throws {
        var error = cdicom_error()
        guard runtime.api.pointee.put_string(handle, tag.group, tag.element, value, &error) == 0 else { throw error.kilnError }
    }

    /// Removes private (odd-group) attributes at every level; returns how many.
    @discardableResult
    public func removePrivateAttributes() -> Int {
        Int(runtime.api.pointee.remove_private_attributes(handle))
    }

    /// Writes the file in the transfer syntax it came in.
    public func save(to path: String) throws {
        var error = cdicom_error()
        guard runtime.api.pointee.save(handle, path, &error) == 0 else { throw error.kilnError }
    }
}
