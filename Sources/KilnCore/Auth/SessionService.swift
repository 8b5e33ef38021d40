import Foundation
import Synchronization

/// Opens, verifies and closes browser sessions, and issues and redeems upgrade tickets.
///
/// A session opened with an API key lives no longer than the key: verification checks the key
/// each time the cached entry expires (`cacheTTL`, the same bound as for keys), so revoking a
/// key ends its sessions on every node within that bound. Logging out through this service
/// evicts the entry at once.
public final class SessionService: Sendable {
    public struct Settings: Sendable {
        public var lifetime: Duration = .seconds(12 * 3600)
        public var ticketLifetime: Duration = .seconds(30)
        public var cacheTTL: Duration = .seconds(5)
        public init() {}
    }

    private let sessions: any BrowserSessionRepository
    private let keys: any APIKeyRepository
    private let audit: any AuditLogRepository
    public let settings: Settings
    private let cache = Mutex<[String: Cached]>([:])

    private struct Cached {
        var session: BrowserSessionRecord
        var checkAgain: ContinuousClock.Instant
    }

    public init(sessions: any BrowserSessionRepository, keys: any APIKeyRepository, audit: any AuditLogRepository, settings: Settings = .init()) {
        self.sessions = sessions
        self.keys = keys
        self.audit = audit
        self.settings = settings
    }

    /// A new session for `principal`; returns the cookie's secret (never stored) and the record.
    public func open(for principal: Principal) async throws -> (secret: String, session: BrowserSessionRecord) {
        let now = Date()
        let session = BrowserSessionRecord(
            id: SessionSecret.newID(), principal: principal, csrfToken: SessionSecret.random(),
            createdAt: now, expiresAt: now.addingTimeInterval(settings.lifetime.secondsValue))
        let secret = SessionSecret.random(prefix: SessionSecret.sessionPrefix)
        try await sessions.insert(session, secretHash: APIKeySecret.hash(secret))
        try await audit.append(AuditEntry(at: now, actor: principal.actor, action: "session.open", target: session.id))
        // Opening is rare (a login); it is also when finished sessions are swept.
        try? await sessions.deleteExpired(before: now)
        return (secret, session)
    }

    /// The session a cookie's secret belongs to, or nil when it is unknown, expired, revoked,
    /// or its API key was revoked.
    public func verify(secret: String) async throws -> BrowserSessionRecord? {
        guard secret.hasPrefix(SessionSecret.sessionPrefix), secret.utf8.count < 200 else { return nil }
        let hash = APIKeySecret.hash(secret)
        let now = ContinuousClock.now
        if let cached = cache.withLock({ $0[hash] }), cached.checkAgain > now {
            return cached.session.isValid(at: Date()) ? cached.session : nil
        }
        guard let session = try await sessions.find(secretHash: hash), session.isValid(at: Date()), try await keyIsActive(session.principal) else {
            cache.withLock { _ = $0.removeValue(forKey: hash) }
            return nil
        }
        cache.withLock { $0[hash] = Cached(session: session, checkAgain: now + settings.cacheTTL) }
        return session
    }

    /// Ends the session (logout, or an admin's revocation).
    public func revoke(id: String, actor: String) async throws {
        guard try await sessions.revoke(id: id, at: Date()) else {
            throw KilnError.notFound("no open session with id '\(id)'")
        }
        cache.withLock { cache in cache = cache.filter { $0.value.session.id != id } }
        try await audit.append(AuditEntry(at: Date(), actor: actor, action: "session.revoke", target: id))
    }

    public func find(id: String) async throws -> BrowserSessionRecord? {
        try await sessions.find(id: id)
    }

    /// A ticket for one WebSocket or SSE upgrade within `ticketLifetime`.
    public func issueTicket(for principal: Principal) async throws -> (secret: String, expiresAt: Date) {
        let ticket = UpgradeTicket(principal: principal, expiresAt: Date().addingTimeInterval(settings.ticketLifetime.secondsValue))
        let secret = SessionSecret.random(prefix: SessionSecret.ticketPrefix)
        try await sessions.insertTicket(ticket, secretHash: APIKeySecret.hash(secret))
        return (secret, ticket.expiresAt)
    }

    /// The ticket's caller, once: the ticket is gone afterwards, whether or not the upgrade succeeds.
    public func redeemTicket(_ secret: String) async throws -> Principal? {
        guard secret.hasPrefix(SessionSecret.ticketPrefix), secret.utf8.count < 200,
              let ticket = try await sessions.redeemTicket(secretHash: APIKeySecret.hash(secret), at: Date()),
              try await keyIsActive(ticket.principal) else { return nil }
        return ticket.principal
    }

    /// A caller identified by an API key (whose id is the principal's) lives no longer than the key.
    private func keyIsActive(_ principal: Principal) async throws -> Bool {
        guard principal.kind == .apiKey else { return true }
        guard let key = try await keys.find(id: principal.id) else { return false }
        return !key.isRevoked
    }
}
