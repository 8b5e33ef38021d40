import Foundation
import KilnCore
import SQLKit

/// Registered models, their versions and tags in the SQL store. Aliases are rows of the shared
/// `model_aliases` table, renamed and deleted here together with their model.
public struct SQLModelRegistryRepository: ModelRegistryRepository {
    private let db: any SQLDatabase
    private let transactions: any SQLTransactionRunner

    public init(db: any SQLDatabase, transactions: any SQLTransactionRunner) {
        self.db = db
        self.transactions = transactions
    }

    private struct ModelRow: Decodable {
        var name: String
        var creation_time: Int64
        var last_updated_time: Int64
        var description: String
    }

    private struct VersionRow: Decodable {
        var name: String
        var version: Int
        var creation_time: Int64
        var last_updated_time: Int64
        var description: String
        var user_id: String
        var current_stage: String
        var source: String
        var run_id: String
        var served: Int
    }

    private struct TagRow: Decodable {
        var name: String
        var version: Int?
        var key: String
        var value: String
    }

    private struct MaxRow: Decodable {
        var highest: Int?
    }

    public func createRegisteredModel(_ model: RegisteredModel) async throws {
        try await transactions.transaction(prepare: { db in
            guard try await db.select().column("name").from("registered_models").where("name", .equal, model.name).first() == nil else {
                throw KilnError.conflict("registered model (name=\(model.name)) already exists")
            }
        }, write: { db, _ in
            try await db.insert(into: "registered_models").columns("name", "creation_time", "last_updated_time", "description")
                .values(SQLBind(model.name), SQLBind(model.creationTime), SQLBind(model.lastUpdatedTime), SQLBind(model.description))
                .run()
            for tag in model.tags { try await Self.upsertModelTag(db, name: model.name, tag) }
        })
    }

    public func registeredModel(named name: String) async throws -> RegisteredModel? {
        let rows = try await db.select().column("*").from("registered_models").where("name", .equal, name).all(decoding: ModelRow.self)
        return try await models(from: rows).first
    }

    private func models(from rows: [ModelRow]) async throws -> [RegisteredModel] {
        guard !rows.isEmpty else { return [] }
        let names: [any Encodable & Sendable] = rows.map(\.name)
        let tags = Dictionary(grouping: try await db.raw(
            "SELECT name, NULL AS version, key, value FROM registered_model_tags WHERE name IN (\(binds: names)) ORDER BY key"
        ).all(decoding: TagRow.self), by: \.name)
        return rows.map { row in
            RegisteredModel(name: row.name, creationTime: row.creation_time, lastUpdatedTime: row.last_updated_time,
                            description: row.description, tags: (tags[row.name] ?? []).map { TrackingTag(key: $0.key, value: $0.value) })
        }
    }

    public func searchRegisteredModels(filter: SearchFilter, orderBy: [SearchOrder], limit: Int, offset: Int) async throws -> [RegisteredModel] {
        var query: SQLQueryString = "SELECT m.* FROM registered_models m"
        var conditions: [SQLQueryString] = ["1 = 1"]
        for (index, clause) in filter.clauses.enumerated() {
            switch clause.entity {
            case .tag:
                let alias = "t\(index)"
                query += " LEFT JOIN registered_model_tags \(unsafeRaw: alias) ON \(unsafeRaw: alias).name = m.name AND \(unsafeRaw: alias).key = \(bind: clause.key)"
                conditions.append(try SQLSearch.tagComparison("\(unsafeRaw: alias).value", clause))
            case .attribute where clause.key == "name":
                conditions.append(try SQLSearch.comparison("m.name", clause, numeric: false))
            default:
                throw KilnError.invalidArgument("registered models are searched by name and tags")
            }
        }
        query += " WHERE " + conditions.joined(separator: " AND ")
        var terms: [SQLQueryString] = []
        for order in orderBy {
            terms.append(SQLSearch.orderTerm("m.\(unsafeRaw: try Self.modelOrderColumn(order))", ascending: order.ascending))
        }
        terms.append("m.name ASC")
        query += " ORDER BY " + terms.joined(separator: ", ") + " LIMIT \(bind: limit) OFFSET \(bind: offset)"
        return try await models(from: db.raw(query).all(decoding: ModelRow.self))
    }

    private static func modelOrderColumn(_ order: SearchOrder) throws -> String {
        switch (order.entity, order.key) {
        case (.attribute, "name"): "name"
        case (.attribute, "timestamp"), (.attribute, "last_updated_timestamp"): "last_updated_time"
        case (.attribute, "creation_timestamp"): "creation_time"
        default: throw KilnError.invalidArgument("registered models are ordered by name, creation_timestamp or last_updated_timestamp")
        }
    }

    public func updateRegisteredModel(name: String, description: String, now: Int64) async throws {
        try await db.update("registered_models").set("description", to: description).set("last_updated_time", to: now)
            .where("name", .equal, name).run()
    }

    public func renameRegisteredModel(from name: String, to newName: String, now: Int64) async throws {
        try await transactions.transaction(prepare: { db in
            guard try await db.select().column("name").from("registered_models").where("name", .equal, newName).first() == nil else {
                throw KilnError.conflict("registered model (name=\(newName)) already exists")
            }
        }, write: { db, _ in
            try await db.update("registered_models").set("name", to: newName).set("last_updated_time", to: now)
                .where("name", .equal, name).run()
            for table in ["registered_model_tags", "model_versions", "model_version_tags"] {
                try await db.update(table).set("name", to: newName).where("name", .equal, name).run()
            }
            try await db.update("model_aliases").set("model", to: newName).where("model", .equal, name).run()
        })
    }

    public func deleteRegisteredModel(name: String) async throws {
        try await transactions.transaction { db in
            for table in ["registered_models", "registered_model_tags", "model_versions", "model_version_tags"] {
                try await db.delete(from: table).where("name", .equal, name).run()
            }
            try await db.delete(from: "model_aliases").where("model", .equal, name).run()
        }
    }

    public func setRegisteredModelTag(name: String, _ tag: TrackingTag) async throws {
        try await Self.upsertModelTag(db, name: name, tag)
    }

    private static func upsertModelTag(_ db: any SQLDatabase, name: String, _ tag: TrackingTag) async throws {
        try await db.insert(into: "registered_model_tags").columns("name", "key", "value")
            .values(SQLBind(name), SQLBind(tag.key), SQLBind(tag.value))
            .onConflict(with: ["name", "key"]) { $0.set(excludedValueOf: "value") }
            .run()
    }

    public func deleteRegisteredModelTag(name: String, key: String) async throws -> Bool {
        guard try await db.select().column("key").from("registered_model_tags")
            .where("name", .equal, name).where("key", .equal, key).first() != nil else { return false }
        try await db.delete(from: "registered_model_tags").where("name", .equal, name).where("key", .equal, key).run()
        return true
    }

    // MARK: Versions

    public func createModelVersion(_ version: ModelVersion, minimumNumber: Int) async throws -> ModelVersion {
        try await transactions.transaction(prepare: { db -> ModelVersion in
            let highest = try await db.raw("SELECT MAX(version) AS highest FROM model_versions WHERE name = \(bind: version.name)")
                .first(decoding: MaxRow.self)?.highest ?? 0
            var created = version
            created.version = max(highest + 1, minimumNumber)
            return created
        }, write: { db, created in
            try await db.insert(into: "model_versions")
                .columns("name", "version", "creation_time", "last_updated_time", "description", "user_id", "current_stage",
                         "source", "run_id", "served")
                .values(SQLBind(created.name), SQLBind(created.version), SQLBind(created.creationTime), SQLBind(created.lastUpdatedTime),
                        SQLBind(created.description), SQLBind(created.userID), SQLBind(created.stage.rawValue), SQLBind(created.source),
                        SQLBind(created.runID), SQLBind(created.served ? 1 : 0))
                .run()
            for tag in created.tags { try await Self.upsertVersionTag(db, name: created.name, version: created.version, tag) }
            try await db.update("registered_models").set("last_updated_time", to: created.creationTime)
                .where("name", .equal, created.name).run()
            return created
        })
    }

    public func modelVersion(name: String, version: Int) async throws -> ModelVersion? {
        let rows = try await db.select().column("*").from("model_versions")
            .where("name", .equal, name).where("version", .equal, version).all(decoding: VersionRow.self)
        return try await versions(from: rows).first
    }

    private func versions(from rows: [VersionRow]) async throws -> [ModelVersion] {
        guard !rows.isEmpty else { return [] }
        let names: [any Encodable & Sendable] = Array(Set(rows.map(\.name)))
        let tags = Dictionary(grouping: try await db.raw(
            "SELECT name, version, key, value FROM model_version_tags WHERE name IN (\(binds: names)) ORDER BY key"
        ).all(decoding: TagRow.self), by: { "\($0.name)\u{0}\($0.version ?? 0)" })
        return rows.map { row in
            ModelVersion(name: row.name, version: row.version, creationTime: row.creation_time, lastUpdatedTime: row.last_updated_time,
                         description: row.description, userID: row.user_id, stage: ModelStage(rawValue: row.current_stage) ?? .none,
                         source: row.source, runID: row.run_id, served: row.served != 0,
                         tags: (tags["\(row.name)\u{0}\(row.version)"] ?? []).map { TrackingTag(key: $0.key, value: $0.value) })
        }
    }

    public func searchModelVersions(filter: SearchFilter, orderBy: [SearchOrder], limit: Int, offset: Int) async throws -> [ModelVersion] {
        var query: SQLQueryString = "SELECT v.* FROM model_versions v"
        var conditions: [SQLQueryString] = ["1 = 1"]
        for (index, clause) in filter.clauses.enumerated() {
            switch clause.entity {
            case .tag:
                let alias = "t\(index)"
                query += " LEFT JOIN model_version_tags \(unsafeRaw: alias) ON \(unsafeRaw: alias).name = v.name AND \(unsafeRaw: alias).version = v.version AND \(unsafeRaw: alias).key = \(bind: clause.key)"
                conditions.append(try SQLSearch.tagComparison("\(unsafeRaw: alias).value", clause))
            case .attribute:
                let (column, numeric) = try Self.versionAttribute(clause.key)
                conditions.append(try SQLSearch.comparison("v.\(unsafeRaw: column)", clause, numeric: numeric))
            default:
                throw KilnError.invalidArgument("model versions are searched by name, version_number, run_id, source_path, current_stage and tags")
            }
        }
        query += " WHERE " + conditions.joined(separator: " AND ")
        var terms: [SQLQueryString] = []
        for order in orderBy {
            guard order.entity == .attribute else { throw KilnError.invalidArgument("model versions are ordered by attributes only") }
            let column = order.key == "version_number" ? "version" : try Self.versionAttribute(order.key).column
            terms.append(SQLSearch.orderTerm("v.\(unsafeRaw: column)", ascending: order.ascending))
        }
        terms.append("v.name ASC, v.version DESC")
        query += " ORDER BY " + terms.joined(separator: ", ") + " LIMIT \(bind: limit) OFFSET \(bind: offset)"
        return try await versions(from: db.raw(query).all(decoding: VersionRow.self))
    }

    private static func versionAttribute(_ key: String) throws -> (column: String, numeric: Bool) {
        switch key {
        case "name": ("name", false)
        case "version_number", "version": ("version", true)
        case "run_id": ("run_id", false)
        case "source_path", "source": ("source", false)
        case "current_stage": ("current_stage", false)
        case "user_id": ("user_id", false)
        case "creation_timestamp": ("creation_time", true)
        case "last_updated_timestamp", "timestamp": ("last_updated_time", true)
        default: throw KilnError.invalidArgument("unknown model version attribute '\(key.prefix(100))'")
        }
    }

    public func updateModelVersion(name: String, version: Int, description: String?, served: Bool?, now: Int64) async throws {
        var update = db.update("model_versions").set("last_updated_time", to: now)
        if let description { update = update.set("description", to: description) }
        if let served { update = update.set("served", to: served ? 1 : 0) }
        try await update.where("name", .equal, name).where("version", .equal, version).run()
    }

    public func transitionStage(name: String, version: Int, to stage: ModelStage, archiveOthers: Bool, now: Int64) async throws -> [Int] {
        let archiving = archiveOthers && (stage == .staging || stage == .production)
        return try await transactions.transaction(prepare: { db -> [Int] in
            guard archiving else { return [] }
            return try await db.select().column("version").from("model_versions")
                .where("name", .equal, name).where("current_stage", .equal, stage.rawValue).where("version", .notEqual, version)
                .all(decodingColumn: "version", as: Int.self)
        }, write: { db, archived in
            if !archived.isEmpty {
                let numbers: [any Encodable & Sendable] = archived
                try await db.update("model_versions").set("current_stage", to: ModelStage.archived.rawValue).set("last_updated_time", to: now)
                    .where("name", .equal, name).where("version", .in, SQLBind.group(numbers)).run()
            }
            try await db.update("model_versions").set("current_stage", to: stage.rawValue).set("last_updated_time", to: now)
                .where("name", .equal, name).where("version", .equal, version).run()
            return archived
        })
    }

    public func deleteModelVersion(name: String, version: Int) async throws {
        try await transactions.transaction { db in
            for table in ["model_versions", "model_version_tags"] {
                try await db.delete(from: table).where("name", .equal, name).where("version", .equal, version).run()
            }
            try await db.delete(from: "model_aliases").where("model", .equal, name).where("version", .equal, version).run()
        }
    }

    public func setModelVersionTag(name: String, version: Int, _ tag: TrackingTag) async throws {
        try await Self.upsertVersionTag(db, name: name, version: version, tag)
    }

    private static func upsertVersionTag(_ db: any SQLDatabase, name: String, version: Int, _ tag: TrackingTag) async throws {
        try await db.insert(into: "model_version_tags").columns("name", "version", "key", "value")
            .values(SQLBind(name), SQLBind(version), SQLBind(tag.key), SQLBind(tag.value))
            .onConflict(with: ["name", "version", "key"]) { $0.set(excludedValueOf: "value") }
            .run()
    }

    public func deleteModelVersionTag(name: String, version: Int, key: String) async throws -> Bool {
        guard try await db.select().column("key").from("model_version_tags")
            .where("name", .equal, name).where("version", .equal, version).where("key", .equal, key).first() != nil else { return false }
        try await db.delete(from: "model_version_tags").where("name", .equal, name).where("version", .equal, version).where("key", .equal, key).run()
        return true
    }
}

/// The artifact index in the SQL store.
public struct SQLArtifactRepository: ArtifactRepository {
    private let db: any SQLDatabase

    public init(db: any SQLDatabase) {
        self.db = db
    }

    private struct Row: Decodable {
        var path: String
        var sha256: String
        var size: Int64

        var file: ArtifactFile { ArtifactFile(path: path, sha256: sha256, size: size) }
    }

    public func put(_ file: ArtifactFile, now: Int64) async throws -> ArtifactFile? {
        let previous = try await self.file(at: file.path)
        try await db.insert(into: "artifacts").columns("path", "sha256", "size", "created_at")
            .values(SQLBind(file.path), SQLBind(file.sha256), SQLBind(file.size), SQLBind(now))
            .onConflict(with: ["path"]) { $0.set(excludedValueOf: "sha256").set(excludedValueOf: "size").set(excludedValueOf: "created_at") }
            .run()
        return previous
    }

    public func file(at path: String) async throws -> ArtifactFile? {
        try await db.select().columns("path", "sha256", "size").from("artifacts").where("path", .equal, path).first(decoding: Row.self)?.file
    }

    public func files(under prefix: String) async throws -> [ArtifactFile] {
        // A range on the primary key: every path that starts with "<prefix>/" ('0' follows '/').
        let low = prefix.isEmpty ? "" : prefix + "/"
        let high = prefix.isEmpty ? "\u{10FFFF}" : prefix + "0"
        return try await db.select().columns("path", "sha256", "size").from("artifacts")
            .where("path", .greaterThanOrEqual, low).where("path", .lessThan, high).orderBy("path")
            .all(decoding: Row.self).map(\.file)
    }

    public func delete(path: String) async throws -> [ArtifactFile] {
        var removed = try await files(under: path)
        if let single = try await file(at: path) { removed.append(single) }
        for file in removed {
            try await db.delete(from: "artifacts").where("path", .equal, file.path).run()
        }
        return removed
    }
}
