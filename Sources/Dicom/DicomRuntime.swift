import CDicomAPI
import Foundation
import KilnCore

/// The loaded DCMTK plugin (libKilnDicom.so). One per process; pass it to what reads DICOM.
public final class DicomRuntime: @unchecked Sendable {
    // @unchecked: `api` points at an immutable function table inside the loaded plugin.
    let api: UnsafePointer<cdicom_api>
    public let libraryPath: String

    public init(libraryPath path: String? = nil) throws {
        let path = path ?? Self.defaultLibraryPath()
        let symbol = try PluginLibrary.open(path, symbol: "cdicom_get_api", describedAs: "DCMTK")
        guard let api = unsafeBitCast(symbol, to: cdicom_get_api_fn.self)() else {
            throw KilnError(.unavailable, "\(path) returned no API table")
        }
        self.api = api
        self.libraryPath = path
    }

    /// `KILN_DICOM_PLUGIN`, else `libKilnDicom.so` beside the running executable.
    public static func defaultLibraryPath() -> String {
        InstalledFile.path("libKilnDicom.so", overriddenBy: "KILN_DICOM_PLUGIN")
    }

    /// DCMTK's version, e.g. "3.6.7".
    public var version: String { api.pointee.version().map { String(cString: $0) } ?? "unknown" }

    /// Parses a DICOM file held in memory. Throws `not_dicom` or `dicom_truncated`.
    public func read(_ bytes: Data) throws -> DicomFile {
        var error = cdicom_error()
        let handle = bytes.withUnsafeBytes { raw in api.pointee.read(raw.baseAddress, Int64(raw.count), &error) }
        guard let handle else { throw error.kilnError }
        return DicomFile(runtime: self, handle: handle)
    }
}

extension cdicom_error {
    var messageText: String { CCharArray.string(message) }

    /// The plugin's status as one of Kiln's stable (422) codes.
    var kilnError: KilnError {
        switch cdicom_status(rawValue: UInt32(code)) {
        case CDICOM_NOT_DICOM: KilnError(.notDicom, messageText)
        case CDICOM_TRUNCATED: KilnError(.truncatedDicom, messageText)
        case CDICOM_UNSUPPORTED_TRANSFER_SYNTAX: KilnError(.unsupportedTransferSyntax, messageText)
        case CDICOM_NO_IMAGE, CDICOM_DECODE_FAILED: KilnError(.undecodableImage, messageText)
        case CDICOM_INVALID_ARGUMENT: KilnError.invalidArgument(messageText)
        default: KilnError(.internal, "DICOM: \(messageText)")
        }
    }
}
