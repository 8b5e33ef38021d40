import HTTPTypes
import Hummingbird

/// CORS for the configured origins (a browser dashboard such as the seed's on
/// http://localhost:3000). Answers preflight requests itself, before authentication, since
/// browsers send them without credentials; other requests get the allow headers added.
///
/// The origin is echoed, never `*`, with `Vary: Origin`. Origins listed by name may send
/// cookies (`Access-Control-Allow-Credentials: true`, so that `fetch(…, {credentials:
/// "include"})` and axios' `withCredentials` work); an origin admitted only by `*` never may.
public struct AllowedOriginsMiddleware: RouterMiddleware {
    public init(origins: Set<String>, allowCredentials: Bool) {
        self.origins = origins
        self.allowCredentials = allowCredentials
    }

    public typealias Context = KilnRequestContext
    public let origins: Set<String>
    public let allowCredentials: Bool

    /// What a page may read from an answer besides the CORS-safelisted headers.
    static let exposed = "Content-Disposition, Retry-After, X-Request-ID, Location"

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin] else { return try await next(request, context) }
        let named = origins.contains(origin)
        guard named || origins.contains("*") else { return try await next(request, context) }
        var allow: HTTPFields = [.accessControlAllowOrigin: origin, .vary: "Origin"]
        if named && allowCredentials { allow[.accessControlAllowCredentials] = "true" }
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            allow[.accessControlAllowMethods] = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
            allow[.accessControlAllowHeaders] = request.headers[.accessControlRequestHeaders] ?? "Authorization, Content-Type, X-CSRF-Token"
            allow[.accessControlMaxAge] = "600"
            return Response(status: .noContent, headers: allow)
        }
        allow[.accessControlExposeHeaders] = Self.exposed
        var response = try await next(request, context)
        response.headers.append(contentsOf: allow)
        return response
    }
}
