import HTTPTypes
import Hummingbird

/// Gives every request an id (the client's `X-Request-Id` when it is sane, else a new one)
/// and returns it on every response.
public struct RequestIDMiddleware: RouterMiddleware {
    public init() {}

    public typealias Context = KilnRequestContext

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let incoming = request.headers[.xRequestID]
        context.requestID = incoming.flatMap { Self.isAcceptable($0) ? $0 : nil } ?? Self.generate()
        var response = try await next(request, context)
        response.headers[.xRequestID] = context.requestID
        return response
    }

    public static func isAcceptable(_ id: String) -> Bool {
        id.utf8.count <= 128 && !id.isEmpty
            && id.utf8.allSatisfy { $0 == 45 || $0 == 46 || $0 == 95 || (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) }
    }

    public static func generate() -> String {
        let value = UInt64.random(in: .min ... .max)
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

extension HTTPField.Name {
    public static let xRequestID = Self("X-Request-Id")!
    /// A client's key that makes a submission idempotent (jobs, uploads).
    public static let idempotencyKey = Self("Idempotency-Key")!
}
