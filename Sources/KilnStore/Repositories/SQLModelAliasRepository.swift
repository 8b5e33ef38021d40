import Foundation
import KilnCore
import SQLKit

/// Aliases in the `model_aliases` registry table.
public struct SQLModelAliasRepository: ModelAliasRepository {
    private let db: any SQLDatabase

    public init(db: any SQLDatabase) {
        self.db = db
    }

    private struct Row: Decodable {
        var model: String
        var alias: String
        var version: Int
        var updated_at: Double
    }

    public func set(_ alias: ModelAlias) async throws {
        try await db.insert(into: "model_aliases")
            .columns("model", "alias", "version", "updated_at")
            .values(SQLBind(alias.model), SQLBind(alias.alias), SQLBind(alias.version), SQLBind(alias.updatedAt.timeIntervalSince1970))
            .onConflict(with: ["model", "alias"]) { $0.set(excludedValueOf: "version").set(excludedValueOf: "updated_at") }
            .run()
    }

    public func remove(model: String, alias: String) async throws -> Bool {
        let existing = try await db.select().column("alias").from("model_aliases")
            .where("model", .equal, model).where("alias", .equal, alias).first()
        guard existing != nil else { return false }
        try await db.delete(from: "model_aliases").where("model", .equal, model).where("alias", .equal, alias).run()
        return true
    }

    public func all() async throws -> [ModelAlias] {
        try await db.select().columns("model", "alias", "version", "updated_at").from("model_aliases")
            .orderBy("model").orderBy("alias").all(decoding: Row.self)
            .map { ModelAlias(model: $0.model, alias: $0.alias, version: $0.version, updatedAt: Date(timeIntervalSince1970: $0.updated_at)) }
    }
}
