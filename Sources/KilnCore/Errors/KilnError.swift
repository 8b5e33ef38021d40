/// The stable error codes of Kiln's native surface.
///
/// Codes are part of the public API: clients branch on them, so they never change meaning.
/// The mapping to HTTP status codes lives at the HTTP edge, not here.
public enum ErrorCode: String, Sendable, Codable, CaseIterable {
    case invalidArgument = "invalid_argument"
    case unauthenticated
    case permissionDenied = "permission_denied"
    case notFound = "not_found"
    case conflict
    case payloadTooLarge = "payload_too_large"
    case unsupportedMediaType = "unsupported_media_type"
    case rateLimited = "rate_limited"
    case unavailable
    /// The request's deadline passed before it could be served.
    case deadlineExceeded = "deadline_exceeded"
    /// An uploaded medical image that is well-formed HTTP but cannot be used (all 422): not
    /// DICOM at all, cut short, in a transfer syntax no codec decodes, or holding no image.
    case notDicom = "not_dicom"
    case truncatedDicom = "dicom_truncated"
    case unsupportedTransferSyntax = "unsupported_transfer_syntax"
    case undecodableImage = "undecodable_image"
    /// An uploaded volume that is not NIfTI-1 (or NIfTI-2), or whose data type or layout Kiln
    /// cannot read (422).
    case notNifti = "not_nifti"
    case unsupportedNifti = "unsupported_nifti"
    /// An uploaded zip that cannot be read (422), and a zip that does not hold one usable DICOM
    /// series (422).
    case invalidZip = "invalid_zip"
    case invalidDicomSeries = "invalid_dicom_series"
    case `internal`
}

/// A domain error: a stable code, a message safe to show to the client, and optional details.
public struct KilnError: Error, Sendable, CustomStringConvertible {
    public var code: ErrorCode
    public var message: String
    public var details: [String: JSONValue]

    public init(_ code: ErrorCode, _ message: String, details: [String: JSONValue] = [:]) {
        self.code = code
        self.message = message
        self.details = details
    }

    public var description: String { "\(code.rawValue): \(message)" }

    public static func invalidArgument(_ message: String, details: [String: JSONValue] = [:]) -> KilnError {
        KilnError(.invalidArgument, message, details: details)
    }

    public static func notFound(_ message: String, details: [String: JSONValue] = [:]) -> KilnError {
        KilnError(.notFound, message, details: details)
    }

    public static func conflict(_ message: String, details: [String: JSONValue] = [:]) -> KilnError {
        KilnError(.conflict, message, details: details)
    }
}
