import Foundation
import KilnCore
import SQLKit

/// The append-only `audit_log` table.
public struct SQLAuditLogRepository: AuditLogRepository {
    private let db: any SQLDatabase

    public init(db: any SQLDatabase) {
        self.db = db
    }

    private struct Row: Decodable {
        var id: Int64
        var at: Double
        var actor: String
        var action: String
        var target: String
        var details: String
    }

    public func append(_ entry: AuditEntry) async throws {
        let details = String(decoding: try JSONEncoder().encode(entry.details), as: UTF8.self)
        try await db.insert(into: "audit_log")
            .columns("at", "actor", "action", "target", "details")
            .values(SQLBind(entry.at.timeIntervalSince1970), SQLBind(entry.actor), SQLBind(entry.action),
                    SQLBind(entry.target), SQLBind(details))
            .run()
    }

    public func list(limit: Int, before: Int64?) async throws -> [AuditEntry] {
        var query = db.select().columns("id", "at", "actor", "action", "target", "details").from("audit_log")
        if let before {
            query = query.where("id", .lessThan, before)
        }
        let rows = try await query.orderBy("id", .descending).limit(limit).all(decoding: Row.self)
        return rows.map { row in
            AuditEntry(
                id: row.id, at: Date(timeIntervalSince1970: row.at), actor: row.actor, action: row.action,
                target: row.target,
                details: (try? JSONDecoder().decode([String: JSONValue].self, from: Data(row.details.utf8))) ?? [:])
        }
    }
}
