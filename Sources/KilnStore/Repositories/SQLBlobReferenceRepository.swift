import Foundation
import KilnCore
import SQLKit

/// Rows of `blob_refs`: which stored object (a job, a model version, …) holds which blob.
public struct SQLBlobReferenceRepository: BlobReferenceRepository {
    private let db: any SQLDatabase

    public init(db: any SQLDatabase) {
        self.db = db
    }

    public func add(sha256: String, kind: String, id: String) async throws {
        try await db.insert(into: "blob_refs")
            .columns("sha256", "ref_kind", "ref_id", "created_at")
            .values(SQLBind(sha256), SQLBind(kind), SQLBind(id), SQLBind(Date().timeIntervalSince1970))
            .ignoringConflicts()
            .run()
    }

    public func remove(sha256: String, kind: String, id: String) async throws {
        try await db.delete(from: "blob_refs")
            .where("sha256", .equal, sha256).where("ref_kind", .equal, kind).where("ref_id", .equal, id)
            .run()
    }

    public func referenceCount(sha256: String) async throws -> Int {
        try await db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("blob_refs")
            .where("sha256", .equal, sha256)
            .first(decodingColumn: "n", as: Int.self) ?? 0
    }
}
