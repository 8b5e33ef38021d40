import HTTPTypes
import Hummingbird

/// CORS for the configured origins (a browser dashboard such as the seed's on
/// http://localhost:3000). Answers preflight requests itself, before authentication, since
/// browsers send them without credentials; other requests get the allow headers added.
public struct AllowedOriginsMiddleware: RouterMiddleware {
    public init(origins: Set<String>) {
        self.origins = origins
    }

    public typealias Context = KilnRequestContext
    public let origins: Set<String>

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin], origins.contains(origin) || origins.contains("*") else {
            return try await next(request, context)
        }
        var allow: HTTPFields = [.accessControlAllowOrigin: origin, .vary: "Origin"]
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            allow[.accessControlAllowMethods] = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
            allow[.accessControlAllowHeaders] = request.headers[.accessControlRequestHeaders] ?? "Authorization, Content-Type"
            allow[.accessControlMaxAge] = "600"
            return Response(status: .noContent, headers: allow)
        }
        var response = try await next(request, context)
        response.headers.append(contentsOf: allow)
        return response
    }
}
