import Foundation
import KilnCore
import SQLKit

/// One uploaded CTR table: where its bytes are and what the upload answered.
public struct CTRFileRecord: Sendable {
    public var fileID: String
    public var filename: String
    public var sha256: String
    /// The upload's answer (validation, info, preview, columns) as JSON.
    public var summary: JSONValue
    public var createdAt: Date
}

/// The `ctr_files` table.
public struct CTRFileRepository: Sendable {
    private let db: any SQLDatabase

    public init(db: any SQLDatabase) {
        self.db = db
    }

    private struct Row: Decodable {
        var file_id: String
        var filename: String
        var sha256: String
        var summary: String
        var created_at: Double
    }

    func insert(_ record: CTRFileRecord) async throws {
        let summary = String(decoding: record.summary.jsonBytes, as: UTF8.self)
        try await db.insert(into: "ctr_files").columns("file_id", "filename", "sha256", "summary", "created_at")
            .values(SQLBind(record.fileID), SQLBind(record.filename), SQLBind(record.sha256), SQLBind(summary),
                    SQLBind(record.createdAt.timeIntervalSince1970))
            .run()
    }

    func find(id: String) async throws -> CTRFileRecord? {
        guard let row = try await db.select().columns("*").from("ctr_files").where("file_id", .equal, id).first(decoding: Row.self) else {
            return nil
        }
        let summary = (try? JSONDecoder().decode(JSONValue.self, from: Data(row.summary.utf8))) ?? .object([:])
        return CTRFileRecord(fileID: row.file_id, filename: row.filename, sha256: row.sha256, summary: summary,
                             createdAt: Date(timeIntervalSince1970: row.created_at))
    }
}
