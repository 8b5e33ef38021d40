import Foundation
import Hummingbird
import KilnCore
import Logging
import NIOCore

/// Turns every error into a response in the surface's error shape: Kiln's native
/// `{"error":{"code","message","details"},"request_id"}`, or the Open Inference Protocol's
/// `{"error": "<message>"}`, or MLflow's `{"error_code","message"}` (for every request under
/// MLflow's paths, authentication failures included). The first two use the same status mapping
/// (Triton's: 400, 404, 503, 500); MLflow's has its own (`MLflowErrors`).
/// Unknown errors become a 500 whose body says nothing about internals; the log has the detail.
public struct ErrorMiddleware: RouterMiddleware {
    public typealias Context = KilnRequestContext

    public enum Shape: Sendable {
        case native
        case openInference
        case mlflow
    }

    public var shape: Shape = .native
    public var statuses: ErrorStatusTable

    public init(shape: Shape = .native, statuses: ErrorStatusTable) {
        self.shape = shape
        self.statuses = statuses
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let kilnError = Self.kilnError(from: error)
            if kilnError.code == .internal {
                context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))", "request_id": "\(context.requestID)"])
            } else if error is any KilnErrorConvertible {
                context.logger.warning("request refused by an engine", metadata: ["error": "\(String(reflecting: error))", "request_id": "\(context.requestID)"])
            } else if !statuses.knows(kilnError.code) {
                context.logger.error("error code registered by no module", metadata: ["code": "\(kilnError.code)", "request_id": "\(context.requestID)"])
            }
            let shape = MLflowErrors.isMLflowPath(request.uri.path) ? .mlflow : shape
            return ErrorResponse.make(kilnError, requestID: context.requestID, shape: shape, statuses: statuses)
        }
    }

    public static func kilnError(from error: any Error) -> KilnError {
        switch error {
        case let error as HTTPError:
            let code = ErrorStatus.code(for: error.status)
            return KilnError(code, error.body ?? ErrorStatus.defaultMessage(for: code, status: error.status))
        case is CancellationError:
            // Only happens when shutdown outlasts shutdown_timeout and cancels what is left.
            return KilnError(.unavailable, "the server is shutting down")
        case is NIOTooManyBytesError:
            return KilnError(.payloadTooLarge, "request body too large")
        case let error as DecodingError:
            return KilnError.invalidArgument("request body does not match the expected shape: \(DecodingErrorSummary.describe(error))")
        default:
            return KilnError(converting: error) ?? KilnError(.internal, "internal error")
        }
    }
}

/// The mapping between error codes and HTTP statuses: the platform's codes here, each app's
/// added from `KilnApp.errorCodes` by the composition root. A code no module registered
/// answers 500 (and is logged), so a forgotten registration is seen, not silently a 400.
public struct ErrorStatusTable: Sendable {
    private var statuses: [ErrorCode: HTTPResponse.Status]

    public static let platform = ErrorStatusTable(statuses: [
        .invalidArgument: .badRequest, .unauthenticated: .unauthorized, .permissionDenied: .forbidden, .csrfFailed: .forbidden, .notFound: .notFound,
        .conflict: .conflict, .payloadTooLarge: .contentTooLarge, .unsupportedMediaType: .unsupportedMediaType,
        .rateLimited: .tooManyRequests, .unavailable: .serviceUnavailable, .deadlineExceeded: .gatewayTimeout,
        .undecodableImage: .unprocessableContent, .explanationUnsupported: .unprocessableContent,
        .insufficientStorage: HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage"), .internal: .internalServerError,
    ])

    private init(statuses: [ErrorCode: HTTPResponse.Status]) {
        self.statuses = statuses
    }

    /// This table plus `codes`; a code registered twice with different statuses is an error.
    public func adding(_ codes: [ErrorCode: HTTPResponse.Status], from source: String) throws -> ErrorStatusTable {
        var table = self
        for (code, status) in codes {
            if let existing = table.statuses[code], existing != status {
                throw KilnError(.internal, "error code '\(code)' from \(source) is already registered with status \(existing.code)")
            }
            table.statuses[code] = status
        }
        return table
    }

    public func knows(_ code: ErrorCode) -> Bool { statuses[code] != nil }

    public func status(for code: ErrorCode) -> HTTPResponse.Status {
        statuses[code] ?? .internalServerError
    }

    /// Every registered code, sorted (the OpenAPI document's `Error.code` enum).
    public var codes: [ErrorCode] { statuses.keys.sorted { $0.rawValue < $1.rawValue } }
}

/// Codes for statuses that Hummingbird raises itself (`HTTPError`).
public enum ErrorStatus {
    public static func code(for status: HTTPResponse.Status) -> ErrorCode {
        switch status.code {
        case 401: .unauthenticated
        case 403: .permissionDenied
        case 404, 405: .notFound
        case 409: .conflict
        case 413: .payloadTooLarge
        case 415: .unsupportedMediaType
        case 429: .rateLimited
        case 503: .unavailable
        case 504: .deadlineExceeded
        case 400..<500: .invalidArgument
        default: .internal
        }
    }

    public static func defaultMessage(for code: ErrorCode, status: HTTPResponse.Status) -> String {
        code == .internal ? "internal error" : status.reasonPhrase.lowercased()
    }
}

/// Encodes the error shape, with the status the server's error table gives the code.
public enum ErrorResponse {
    public struct Body: Encodable {
        public struct Detail: Encodable {
            public var code: String
            public var message: String
            public var details: [String: JSONValue]
        }
        public var error: Detail
        public var request_id: String
    }

    public static func make(_ error: KilnError, requestID: String, shape: ErrorMiddleware.Shape = .native, statuses: ErrorStatusTable) -> Response {
        // An internal error's message may name paths, SQL or engine state: it goes to the log
        // (ErrorMiddleware), never to the client.
        let error = error.code == .internal ? KilnError(.internal, "internal error; the server log has the details under this request id") : error
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        if case .number(let seconds)? = error.details["retry_after_seconds"] {
            headers[.retryAfter] = String(Int(seconds))
        }
        if error.code == .unauthenticated {
            headers[.wwwAuthenticate] = "Bearer realm=\"kiln\""
        }
        let encoded: Data?
        switch shape {
        case .native:
            encoded = try? JSONEncoder().encode(
                Body(error: .init(code: error.code.rawValue, message: error.message, details: error.details), request_id: requestID))
        case .openInference:
            encoded = try? JSONEncoder().encode(["error": error.message])
        case .mlflow:
            let (status, code) = MLflowErrors.statusAndCode(for: error.code, status: statuses.status(for: error.code))
            let data = (try? JSONEncoder().encode(["error_code": code, "message": error.message])) ?? Data()
            return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        let data = encoded ?? Data(#"{"error":"internal error"}"#.utf8)
        return Response(status: statuses.status(for: error.code), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// A one-line, client-safe description of a decoding failure (which field, what was wrong).
public enum DecodingErrorSummary {
    /// Bodies are decoded with `convertFromSnakeCase`, so coding keys are Swift's camelCase
    /// names; the client sent (and should read) the snake_case ones.
    public static func wireName(_ key: String) -> String {
        var name = ""
        for character in key {
            if character.isUppercase, !name.isEmpty { name.append("_") }
            name.append(contentsOf: character.lowercased())
        }
        return name
    }

    public static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let components = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? wireName($0.stringValue) }
            return components.isEmpty ? "body" : components.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = path(context)
            return "missing field '\(parent == "body" ? wireName(key.stringValue) : parent + "." + wireName(key.stringValue))'"
        case .typeMismatch(let type, let context):
            return "field '\(path(context))' should be \(type)"
        case .valueNotFound(let type, let context):
            return "field '\(path(context))' should be \(type), not null"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "invalid JSON" : "field '\(path(context))' is invalid: \(context.debugDescription)"
        @unknown default:
            return "invalid body"
        }
    }
}
