import Hummingbird
import HummingbirdAuth
import KilnCore
import Foundation
import HTTPTypes
import Logging

/// Verifies what an `Authorization` header carries: `Bearer` with an API key (`kiln_…`) or a
/// JWT, or `Basic` whose password is an API key (what the MLflow client sends from
/// `MLFLOW_TRACKING_USERNAME/PASSWORD`; the username is ignored). Shared by the middleware and
/// by `POST /v1/sessions`, which runs before it.
public struct CredentialVerifier: Sendable {
    public let keys: KeyService
    public let tokens: TokenVerifier

    public init(keys: KeyService, tokens: TokenVerifier) {
        self.keys = keys
        self.tokens = tokens
    }

    public func principal(authorization request: Request) async throws -> Principal {
        if let basic = request.headers.basic {
            guard basic.password.hasPrefix(APIKeySecret.prefix), let principal = try await keys.verify(secret: basic.password) else {
                throw KilnError(.unauthenticated, "invalid or revoked API key (Basic authentication takes an API key as the password)")
            }
            return principal
        }
        guard let bearer = request.headers.bearer, !bearer.token.isEmpty else {
            throw KilnError(.unauthenticated, "unsupported authorization scheme: use 'Bearer' (or 'Basic' with an API key as the password)")
        }
        return try await principal(secret: bearer.token)
    }

    /// An API key or a bearer token as presented.
    public func principal(secret: String) async throws -> Principal {
        if secret.hasPrefix(APIKeySecret.prefix) {
            guard let principal = try await keys.verify(secret: secret) else {
                throw KilnError(.unauthenticated, "invalid or revoked API key")
            }
            return principal
        }
        return try await tokens.verify(secret)
    }
}

/// Establishes who is calling, from the first of:
/// 1. an `Authorization` header (`CredentialVerifier`);
/// 2. on a WebSocket or SSE upgrade, a single-use `?ticket=` from `POST /v1/ws-tickets`;
/// 3. the `kiln_session` cookie of `POST /v1/sessions`. An unsafe method must then repeat the
///    session's CSRF token in `X-CSRF-Token`, and a request with an `Origin` must come from this
///    server's own origin or a configured one (a WebSocket upgrade always sends one): a page on
///    another site can make the browser send the cookie, but can neither read the token nor
///    forge its origin.
/// Requests without credentials are rejected with 401, unless anonymous access is enabled, in
/// which case they proceed as the anonymous `user`.
public struct AuthenticationMiddleware: RouterMiddleware {
    public static let sessionCookie = "kiln_session"
    public static let csrfHeader = HTTPField.Name("X-CSRF-Token")!

    public init(credentials: CredentialVerifier, sessions: SessionService, trustedOrigins: Set<String>, allowAnonymous: Bool) {
        self.credentials = credentials
        self.sessions = sessions
        self.trustedOrigins = trustedOrigins
        self.allowAnonymous = allowAnonymous
    }

    public typealias Context = KilnRequestContext

    public let credentials: CredentialVerifier
    public let sessions: SessionService
    /// Origins besides the server's own whose pages may use a session (the CORS origins).
    public let trustedOrigins: Set<String>
    public let allowAnonymous: Bool

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if request.headers[.authorization] != nil {
            context.identity = try await credentials.principal(authorization: request)
        } else if request.isStreamUpgrade, let ticket = request.uri.queryParameters["ticket"] {
            guard let principal = try await sessions.redeemTicket(String(ticket)) else {
                throw KilnError(.unauthenticated, "the ticket is unknown, expired or already used; get a new one from POST /v1/ws-tickets")
            }
            context.identity = principal
        } else if let cookie = request.cookies[Self.sessionCookie] {
            guard let session = try await sessions.verify(secret: cookie.value) else {
                throw KilnError(.unauthenticated, "the session has expired or was revoked; log in again with POST /v1/sessions")
            }
            try checkForgery(request, session: session)
            context.identity = session.principal
            context.session = session
        } else if allowAnonymous {
            context.identity = Principal(id: "anonymous", role: .user, kind: .anonymous)
        } else {
            throw KilnError(.unauthenticated, "missing credentials: send 'Authorization: Bearer <api key or token>', or log in with POST /v1/sessions")
        }
        return try await next(request, context)
    }

    private func checkForgery(_ request: Request, session: BrowserSessionRecord) throws {
        if let origin = request.headers[.origin], !isTrusted(origin: origin, host: request.head.authority) {
            throw KilnError(.csrfFailed, "a session cookie was sent from the origin '\(origin.prefix(100))', which this server does not trust",
                            details: ["origin": .string(String(origin.prefix(100)))])
        }
        if request.isStreamUpgrade && request.headers[.origin] == nil {
            throw KilnError(.csrfFailed, "a WebSocket upgrade with a session cookie must send its Origin")
        }
        guard ![.get, .head, .options].contains(request.method) else { return }
        guard let token = request.headers[Self.csrfHeader], ConstantTime.equal(token, session.csrfToken) else {
            throw KilnError(.csrfFailed, "a request with a session cookie must send the session's csrf_token in X-CSRF-Token")
        }
    }

    /// The server's own origin (same host and port as the request's Host) or a configured one.
    private func isTrusted(origin: String, host: String?) -> Bool {
        if trustedOrigins.contains(origin) { return true }
        guard let host, let url = URL(string: origin), let originHost = url.host, ["http", "https"].contains(url.scheme ?? "") else { return false }
        let originAuthority = url.port.map { "\(originHost):\($0)" } ?? originHost
        return originAuthority.lowercased() == host.lowercased()
    }
}

extension Request {
    /// A WebSocket upgrade or an SSE stream: where a browser cannot send an `Authorization` header.
    var isStreamUpgrade: Bool {
        guard method == .get else { return false }
        if headers[.upgrade]?.lowercased() == "websocket" { return true }
        return headers[.accept]?.contains("text/event-stream") ?? false
    }
}

/// Comparison whose time does not depend on where the strings differ.
enum ConstantTime {
    static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
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
