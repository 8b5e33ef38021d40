import KilnStore
import SQLKit

extension MigrationSet {
    /// The CTR app's tables. Append; never edit one that has shipped.
    public static let ctr = MigrationSet(name: "ctr", migrations: [
        Migration(version: 6, name: "ctr app files") { db in
            // Uploaded CTR tables: the bytes are a blob; the summary (validation, info, preview,
            // columns) is what POST /api/upload answered, kept as JSON.
            try await db.create(table: "ctr_files")
                .column("file_id", type: .text, .primaryKey(autoIncrement: false))
                .column("filename", type: .text, .notNull)
                .column("sha256", type: .text, .notNull)
                .column("summary", type: .text, .notNull)
                .column("created_at", type: .real, .notNull)
                .run()
        },
    ])
}
