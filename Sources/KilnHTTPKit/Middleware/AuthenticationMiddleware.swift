import Hummingbird
import HummingbirdAuth
import KilnCore
import Logging

/// Establishes who is calling from `Authorization: Bearer …`, which carries either an API key
/// (`kiln_…`) or a JWT, or from `Authorization: Basic …` whose password is an API key (what the
/// MLflow client sends from `MLFLOW_TRACKING_USERNAME/PASSWORD`; the username is ignored). Requests without credentials are rejected with 401, unless anonymous
/// access is enabled, in which case they proceed as the anonymous `user`.
public struct AuthenticationMiddleware: RouterMiddleware {
    public init(keys: KeyService, tokens: TokenVerifier, allowAnonymous: Bool) {
        self.keys = keys
        self.tokens = tokens
        self.allowAnonymous = allowAnonymous
    }

    public typealias Context = KilnRequestContext

    public let keys: KeyService
    public let tokens: TokenVerifier
    public let allowAnonymous: Bool

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.identity = try await authenticate(request)
        return try await next(request, context)
    }

    private func authenticate(_ request: Request) async throws -> Principal {
        guard let header = request.headers[.authorization] else {
            if allowAnonymous { return Principal(id: "anonymous", role: .user, kind: .anonymous) }
            throw KilnError(.unauthenticated, "missing credentials: send 'Authorization: Bearer <api key or token>'")
        }
        if let basic = request.headers.basic {
            guard basic.password.hasPrefix(APIKeySecret.prefix), let principal = try await keys.verify(secret: basic.password) else {
                throw KilnError(.unauthenticated, "invalid or revoked API key (Basic authentication takes an API key as the password)")
            }
            return principal
        }
        guard let bearer = request.headers.bearer, !bearer.token.isEmpty else {
            throw KilnError(.unauthenticated, "unsupported authorization scheme: use 'Bearer' (or 'Basic' with an API key as the password)")
        }
        if bearer.token.hasPrefix(APIKeySecret.prefix) {
            guard let principal = try await keys.verify(secret: bearer.token) else {
                throw KilnError(.unauthenticated, "invalid or revoked API key")
            }
            return principal
        }
        _ = header
        return try await tokens.verify(bearer.token)
    }
}

/// Lets a request through only when the caller holds one of `roles`.
public struct RequireRoleMiddleware: RouterMiddleware {
    public typealias Context = KilnRequestContext

    public let roles: Set<Role>

    public init(_ roles: Role...) {
        self.roles = Set(roles)
    }

    public init(_ roles: [Role]) {
        self.roles = Set(roles)
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let principal = try context.principal()
        guard roles.contains(principal.role) else {
            throw KilnError(.permissionDenied, "this endpoint requires role \(roles.map(\.rawValue).sorted().joined(separator: " or "))",
                            details: ["role": .string(principal.role.rawValue)])
        }
        return try await next(request, context)
    }
}

/// Applies the per-caller rate limit (after authentication, so the caller is known).
public struct RateLimitMiddleware: RouterMiddleware {
    public init(limiter: RateLimiter) {
        self.limiter = limiter
    }

    public typealias Context = KilnRequestContext

    public let limiter: RateLimiter

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if case .limited(let retryAfter) = limiter.check(caller: try context.principal().actor) {
            throw KilnError(.rateLimited, "rate limit exceeded; retry after \(retryAfter)s",
                            details: ["retry_after_seconds": .int(retryAfter)])
        }
        return try await next(request, context)
    }
}
