import Foundation
import HTTPTypes
import Hummingbird
import KilnCore
import KilnHTTPKit

/// Browser logins (`/v1/sessions`) and upgrade tickets (`/v1/ws-tickets`). A session is opened
/// with an API key or a bearer token and then carried by the HttpOnly `kiln_session` cookie;
/// the CSRF token in the answer is what the page repeats in `X-CSRF-Token` on unsafe requests.
public struct SessionsController: Sendable {
    public init(credentials: CredentialVerifier, sessions: SessionService, json: JSONBody, secureCookies: Bool) {
        self.credentials = credentials
        self.sessions = sessions
        self.json = json
        self.secureCookies = secureCookies
    }

    let credentials: CredentialVerifier
    let sessions: SessionService
    let json: JSONBody
    /// Always mark the cookie Secure; otherwise only when a proxy says the client used HTTPS.
    let secureCookies: Bool

    struct LoginRequest: Decodable {
        var apiKey: String
    }

    struct SessionView: Encodable {
        var id: String
        var subject: String
        var kind: String
        var role: Role
        var csrfToken: String
        var createdAt: Date
        var expiresAt: Date

        init(_ session: BrowserSessionRecord) {
            id = session.id
            subject = session.principal.id
            kind = session.principal.kind.rawValue
            role = session.principal.role
            csrfToken = session.csrfToken
            createdAt = session.createdAt
            expiresAt = session.expiresAt
        }
    }

    struct TicketView: Encodable {
        var ticket: String
        var expiresAt: Date
        var expiresInSeconds: Double
    }

    /// `POST /v1/sessions`, before authentication: it is how a browser authenticates.
    public func addPublicRoutes(to router: Router<KilnRequestContext>) {
        router.post("v1/sessions", use: open)
    }

    public func addRoutes(to v1: RouterGroup<KilnRequestContext>) {
        v1.get("sessions/current", use: current)
        v1.delete("sessions/current", use: logout)
        v1.delete("sessions/{id}", use: revoke)
        v1.post("ws-tickets", use: ticket)
    }

    @Sendable func open(_ request: Request, context: KilnRequestContext) async throws -> Response {
        // A body, when sent, must be a login request even if the header decides.
        let body = request.headers[.contentType] == nil ? nil : try await json.decode(LoginRequest.self, from: request, context: context)
        if let body, !(1...8192).contains(body.apiKey.utf8.count) {
            throw KilnError.invalidArgument("api_key must be 1 to 8192 bytes", details: ["field": "api_key"])
        }
        let principal: Principal
        if request.headers[.authorization] != nil {
            principal = try await credentials.principal(authorization: request)
        } else if let body {
            principal = try await credentials.principal(secret: body.apiKey)
        } else {
            throw KilnError(.unauthenticated, "send an API key as {\"api_key\": \"kiln_…\"} or in 'Authorization: Bearer'")
        }
        guard principal.kind != .anonymous else { throw KilnError(.unauthenticated, "anonymous callers cannot open a session") }
        let (secret, session) = try await sessions.open(for: principal)
        var response = try JSONBody.response(SessionView(session), status: .created)
        response.setCookie(cookie(secret, maxAge: Int(session.expiresAt.timeIntervalSince(session.createdAt)), request: request))
        return response
    }

    @Sendable func current(_ request: Request, context: KilnRequestContext) async throws -> Response {
        try JSONBody.response(SessionView(try session(of: context)))
    }

    @Sendable func logout(_ request: Request, context: KilnRequestContext) async throws -> Response {
        let session = try session(of: context)
        try await sessions.revoke(id: session.id, actor: try context.principal().actor)
        var response = Response(status: .noContent)
        response.setCookie(cookie("", maxAge: 0, request: request))
        return response
    }

    /// An admin may end any session; anyone else only their own.
    @Sendable func revoke(_ request: Request, context: KilnRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        let caller = try context.principal()
        guard let session = try await sessions.find(id: id), caller.role == .admin || session.principal.actor == caller.actor else {
            throw KilnError.notFound("no open session with id '\(id.prefix(64))'")
        }
        try await sessions.revoke(id: session.id, actor: caller.actor)
        return Response(status: .noContent)
    }

    @Sendable func ticket(_ request: Request, context: KilnRequestContext) async throws -> Response {
        let principal = try context.principal()
        guard principal.kind != .anonymous else { throw KilnError(.unauthenticated, "anonymous callers need no ticket") }
        let (secret, expires) = try await sessions.issueTicket(for: principal)
        return try JSONBody.response(
            TicketView(ticket: secret, expiresAt: expires, expiresInSeconds: sessions.settings.ticketLifetime.secondsValue), status: .created)
    }

    private func session(of context: KilnRequestContext) throws -> BrowserSessionRecord {
        guard let session = context.session else {
            throw KilnError.notFound("this request came without a session cookie; open one with POST /v1/sessions")
        }
        return session
    }

    private func cookie(_ value: String, maxAge: Int, request: Request) -> Cookie {
        let secure = secureCookies || request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
        return Cookie(name: AuthenticationMiddleware.sessionCookie, value: value, maxAge: maxAge, path: "/",
                      secure: secure, httpOnly: true, sameSite: .lax)
    }
}
