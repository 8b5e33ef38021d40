import Hummingbird
import KilnCore

/// MLflow's error codes and the statuses its server sends with them. The client reads the code
/// from the body, and retries only 408, 429 and 5xx, so "already exists" must be a 400.
public enum MLflowErrors {
    public static let pathPrefixes = ["/api/2.0/mlflow/", "/api/2.0/mlflow-artifacts/", "/api/3.0/mlflow/"]

    public static func isMLflowPath(_ path: String) -> Bool {
        pathPrefixes.contains { path.hasPrefix($0) } || path == "/api/2.0/mlflow-artifacts/artifacts"
    }

    /// MLflow's code for a Kiln error, by Kiln's code where MLflow has a match, else by status.
    public static func statusAndCode(for code: ErrorCode, status: HTTPResponse.Status) -> (HTTPResponse.Status, String) {
        switch code {
        case .invalidArgument: (.badRequest, "INVALID_PARAMETER_VALUE")
        case .conflict: (.badRequest, "RESOURCE_ALREADY_EXISTS")
        case .notFound: (.notFound, "RESOURCE_DOES_NOT_EXIST")
        case .unauthenticated: (.unauthorized, "UNAUTHENTICATED")
        case .permissionDenied: (.forbidden, "PERMISSION_DENIED")
        case .payloadTooLarge: (.contentTooLarge, "INVALID_PARAMETER_VALUE")
        case .unsupportedMediaType: (.unsupportedMediaType, "BAD_REQUEST")
        case .rateLimited: (.tooManyRequests, "REQUEST_LIMIT_EXCEEDED")
        case .unavailable: (.serviceUnavailable, "TEMPORARILY_UNAVAILABLE")
        case .deadlineExceeded: (.gatewayTimeout, "DEADLINE_EXCEEDED")
        case .insufficientStorage: (status, "RESOURCE_EXHAUSTED")
        default: status.code < 500 ? (status, "INVALID_PARAMETER_VALUE") : (.internalServerError, "INTERNAL_ERROR")
        }
    }
}
