import Foundation

/// A browser login: the caller an API key (or a token) identified, carried afterwards by an
/// HttpOnly cookie. Only the SHA-256 of the cookie's secret is stored; the CSRF token is the
/// second factor a cookie-authenticated unsafe request must repeat in a header.
public struct BrowserSessionRecord: Sendable, Hashable {
    /// Public, non-secret id (`ses_…`), for listing and revoking.
    public var id: String
    /// Who opened it: kept whole so that audit lines and job owners read the same as with the key.
    /// When it is an API key (`kind` api_key, `id` the key id), revoking that key ends the session.
    public var principal: Principal
    public var csrfToken: String
    public var createdAt: Date
    public var expiresAt: Date
    public var revokedAt: Date?

    public init(id: String, principal: Principal, csrfToken: String, createdAt: Date, expiresAt: Date, revokedAt: Date? = nil) {
        self.id = id
        self.principal = principal
        self.csrfToken = csrfToken
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }

    public func isValid(at date: Date) -> Bool { revokedAt == nil && expiresAt > date }
}

/// A single-use credential for a WebSocket or SSE upgrade from a client that can send neither
/// a header nor a cookie: redeemed (deleted) by the first upgrade that presents it.
public struct UpgradeTicket: Sendable, Hashable {
    public var principal: Principal
    public var expiresAt: Date

    public init(principal: Principal, expiresAt: Date) {
        self.principal = principal
        self.expiresAt = expiresAt
    }
}

/// Sessions and tickets live in the database, so that any node behind a load balancer honours them.
public protocol BrowserSessionRepository: Sendable {
    func insert(_ session: BrowserSessionRecord, secretHash: String) async throws
    func find(secretHash: String) async throws -> BrowserSessionRecord?
    func find(id: String) async throws -> BrowserSessionRecord?
    /// Returns false when no such session exists or it was already revoked.
    func revoke(id: String, at date: Date) async throws -> Bool
    /// Removes sessions that expired before `date` (and revoked ones), and expired tickets.
    func deleteExpired(before date: Date) async throws
    func insertTicket(_ ticket: UpgradeTicket, secretHash: String) async throws
    /// Deletes the ticket and returns it when it exists and has not expired at `date`; a second
    /// call with the same secret finds nothing, on whichever node it runs.
    func redeemTicket(secretHash: String, at date: Date) async throws -> UpgradeTicket?
}

/// The secrets: 32 random bytes in base64url, each kind with its own prefix so that a leaked
/// string says what it is.
public enum SessionSecret {
    public static let sessionPrefix = "kses_"
    public static let ticketPrefix = "ktkt_"

    public static func random(prefix: String = "") -> String {
        var generator = SystemRandomNumberGenerator()
        return prefix + Base64URL.encode((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    public static func newID() -> String {
        var generator = SystemRandomNumberGenerator()
        return "ses_" + (0..<8).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &generator)) }.joined()
    }
}
