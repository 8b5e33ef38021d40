import Foundation
import KilnCore
import SQLKit

/// API keys in the `api_keys` table.
public struct SQLAPIKeyRepository: APIKeyRepository {
    private let db: any SQLDatabase

    public init(db: any SQLDatabase) {
        self.db = db
    }

    private struct Row: Decodable {
        var id: String
        var name: String
        var role: String
        var created_at: Double
        var revoked_at: Double?

        var record: APIKeyRecord {
            APIKeyRecord(
                id: id, name: name, role: Role(role),
                createdAt: Date(timeIntervalSince1970: created_at),
                revokedAt: revoked_at.map(Date.init(timeIntervalSince1970:)))
        }
    }

    private static let columns = ["id", "name", "role", "created_at", "revoked_at"]

    public func insert(_ record: APIKeyRecord, secretHash: String) async throws {
        try await db.insert(into: "api_keys")
            .columns("id", "name", "role", "secret_hash", "created_at")
            .values(SQLBind(record.id), SQLBind(record.name), SQLBind(record.role.rawValue), SQLBind(secretHash),
                    SQLBind(record.createdAt.timeIntervalSince1970))
            .run()
    }

    public func find(secretHash: String) async throws -> APIKeyRecord? {
        try await db.select().columns(Self.columns).from("api_keys").where("secret_hash", .equal, secretHash)
            .first(decoding: Row.self)?.record
    }

    public func find(id: String) async throws -> APIKeyRecord? {
        try await db.select().columns(Self.columns).from("api_keys").where("id", .equal, id)
            .first(decoding: Row.self)?.record
    }

    public func list() async throws -> [APIKeyRecord] {
        try await db.select().columns(Self.columns).from("api_keys").orderBy("created_at").orderBy("id")
            .all(decoding: Row.self).map(\.record)
    }

    public func revoke(id: String, at date: Date) async throws -> Bool {
        let existing = try await find(id: id)
        guard existing != nil else { return false }
        try await db.update("api_keys").set("revoked_at", to: date.timeIntervalSince1970)
            .where("id", .equal, id).where("revoked_at", .is, SQLLiteral.null)
            .run()
        return true
    }

    public func count() async throws -> Int {
        try await db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("api_keys")
            .first(decodingColumn: "n", as: Int.self) ?? 0
    }
}
