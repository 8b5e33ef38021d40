/// A stable error code of Kiln's native surface.
///
/// Codes are part of the public API: clients branch on them, so they never change meaning.
/// The set is open: the platform's codes are below, and each module adds its own in an
/// extension (an app's HTTP module registers them with their HTTP status through `KilnApp`).
/// The mapping to HTTP statuses lives at the HTTP edge, not here.
public struct ErrorCode: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    public var description: String { rawValue }

    public static let invalidArgument = ErrorCode("invalid_argument")
    public static let unauthenticated = ErrorCode("unauthenticated")
    public static let permissionDenied = ErrorCode("permission_denied")
    public static let notFound = ErrorCode("not_found")
    public static let conflict = ErrorCode("conflict")
    public static let payloadTooLarge = ErrorCode("payload_too_large")
    public static let unsupportedMediaType = ErrorCode("unsupported_media_type")
    public static let rateLimited = ErrorCode("rate_limited")
    public static let unavailable = ErrorCode("unavailable")
    /// The request's deadline passed before it could be served.
    public static let deadlineExceeded = ErrorCode("deadline_exceeded")
    /// An uploaded image that is well-formed HTTP but that no codec decodes, or that holds no
    /// image (422). A platform code because several engines (DICOM, PNG/JPEG) raise it.
    public static let undecodableImage = ErrorCode("undecodable_image")
    /// The model cannot be explained with the method asked for (422): its signature or runtime
    /// does not allow it; the model's metadata lists the methods it supports.
    public static let explanationUnsupported = ErrorCode("explanation_unsupported")
    /// The server's disk (or quota) is full: nothing was stored (507).
    public static let insufficientStorage = ErrorCode("insufficient_storage")
    /// A cookie-authenticated request without the session's CSRF token, or from an origin
    /// that is neither this server's nor a configured one (403).
    public static let csrfFailed = ErrorCode("csrf_failed")
    public static let `internal` = ErrorCode("internal")

    /// The platform's own codes, in the order the API documentation lists them.
    public static let platform: [ErrorCode] = [
        .invalidArgument, .unauthenticated, .permissionDenied, .notFound, .conflict, .payloadTooLarge,
        .unsupportedMediaType, .rateLimited, .unavailable, .deadlineExceeded, .undecodableImage, .explanationUnsupported,
        .insufficientStorage, .csrfFailed, .internal,
    ]
}

extension KilnError {
    /// A write failed because the disk or quota is full; no path in it (the client sees it).
    public static var storageFull: KilnError { KilnError(.insufficientStorage, "the server's storage is full; nothing was stored") }
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

/// An engine's or store's error type that knows what a client may be told about it. The HTTP
/// layer answers with `kilnError` and logs the original; conformances live in the module that
/// owns the engine (the SQLite store's in KilnStore), so the HTTP layer needs no engine imports.
public protocol KilnErrorConvertible: Error {
    var kilnError: KilnError { get }
}
