import Foundation
import KilnCore
import SQLKit

/// Browser sessions in `browser_sessions`, upgrade tickets in `upgrade_tickets`.
public struct SQLBrowserSessionRepository: BrowserSessionRepository {
    private let db: any SQLDatabase

    public init(db: any SQLDatabase) {
        self.db = db
    }

    private struct Row: Decodable {
        var id: String
        var principal_id: String
        var principal_kind: String
        var role: String
        var csrf_token: String
        var created_at: Double
        var expires_at: Double
        var revoked_at: Double?

        var record: BrowserSessionRecord {
            BrowserSessionRecord(
                id: id, principal: storedPrincipal(id: principal_id, kind: principal_kind, role: role),
                csrfToken: csrf_token, createdAt: Date(timeIntervalSince1970: created_at),
                expiresAt: Date(timeIntervalSince1970: expires_at), revokedAt: revoked_at.map(Date.init(timeIntervalSince1970:)))
        }
    }

    private static let columns = ["id", "principal_id", "principal_kind", "role", "csrf_token", "created_at", "expires_at", "revoked_at"]

    public func insert(_ session: BrowserSessionRecord, secretHash: String) async throws {
        try await db.insert(into: "browser_sessions")
            .columns("id", "secret_hash", "principal_id", "principal_kind", "role", "csrf_token", "created_at", "expires_at")
            .values(SQLBind(session.id), SQLBind(secretHash), SQLBind(session.principal.id), SQLBind(session.principal.kind.rawValue),
                    SQLBind(session.principal.role.rawValue), SQLBind(session.csrfToken),
                    SQLBind(session.createdAt.timeIntervalSince1970), SQLBind(session.expiresAt.timeIntervalSince1970))
            .run()
    }

    public func find(secretHash: String) async throws -> BrowserSessionRecord? {
        try await db.select().columns(Self.columns).from("browser_sessions").where("secret_hash", .equal, secretHash)
            .first(decoding: Row.self)?.record
    }

    public func find(id: String) async throws -> BrowserSessionRecord? {
        try await db.select().columns(Self.columns).from("browser_sessions").where("id", .equal, id)
            .first(decoding: Row.self)?.record
    }

    public func revoke(id: String, at date: Date) async throws -> Bool {
        try await !db.update("browser_sessions").set("revoked_at", to: date.timeIntervalSince1970)
            .where("id", .equal, id).where("revoked_at", .is, SQLLiteral.null)
            .returning("id").all().isEmpty
    }

    public func deleteExpired(before date: Date) async throws {
        let now = date.timeIntervalSince1970
        try await db.delete(from: "browser_sessions")
            .where("expires_at", .lessThan, now).orWhere("revoked_at", .isNot, SQLLiteral.null).run()
        try await db.delete(from: "upgrade_tickets").where("expires_at", .lessThan, now).run()
    }

    private struct TicketRow: Decodable {
        var principal_id: String
        var principal_kind: String
        var role: String
        var expires_at: Double
    }

    public func insertTicket(_ ticket: UpgradeTicket, secretHash: String) async throws {
        try await db.insert(into: "upgrade_tickets")
            .columns("secret_hash", "principal_id", "principal_kind", "role", "expires_at")
            .values(SQLBind(secretHash), SQLBind(ticket.principal.id), SQLBind(ticket.principal.kind.rawValue),
                    SQLBind(ticket.principal.role.rawValue), SQLBind(ticket.expiresAt.timeIntervalSince1970))
            .run()
    }

    /// One `DELETE … RETURNING`: of two upgrades presenting the same ticket at once, exactly one
    /// gets the row.
    public func redeemTicket(secretHash: String, at date: Date) async throws -> UpgradeTicket? {
        guard let row = try await db.delete(from: "upgrade_tickets").where("secret_hash", .equal, secretHash)
            .returning("principal_id", "principal_kind", "role", "expires_at")
            .first(decoding: TicketRow.self), row.expires_at > date.timeIntervalSince1970 else { return nil }
        return UpgradeTicket(
            principal: storedPrincipal(id: row.principal_id, kind: row.principal_kind, role: row.role),
            expiresAt: Date(timeIntervalSince1970: row.expires_at))
    }
}

/// The caller a session or ticket row names (a kind this build does not know reads as a key's).
private func storedPrincipal(id: String, kind: String, role: String) -> Principal {
    Principal(id: id, role: Role(role), kind: Principal.Kind(rawValue: kind) ?? .apiKey)
}
