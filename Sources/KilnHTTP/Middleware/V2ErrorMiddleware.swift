import Foundation
import Hummingbird
import KilnCore

/// Errors on the Open Inference Protocol surface use its own shape, `{"error": "<message>"}`,
/// with the same status mapping as the native surface (Triton's: 400, 404, 503, 500).
struct V2ErrorMiddleware: RouterMiddleware {
    typealias Context = KilnRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let kilnError = ErrorMiddleware.kilnError(from: error)
            if kilnError.code == .internal {
                context.logger.error("inference request failed", metadata: ["error": "\(String(reflecting: error))", "request_id": "\(context.requestID)"])
            }
            var headers: HTTPFields = [.contentType: "application/json"]
            if case .number(let seconds)? = kilnError.details["retry_after_seconds"] {
                headers[.retryAfter] = String(Int(seconds))
            }
            let body = (try? JSONEncoder().encode(["error": kilnError.message])) ?? Data()
            return Response(status: ErrorStatus.status(for: kilnError.code), headers: headers,
                            body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
    }
}
