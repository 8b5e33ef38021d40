import KilnStore
import SQLKit

extension MigrationSet {
    /// The feedback store's tables: predictions, reviews, datasets. Append; never edit one that has shipped.
    public static let feedback = MigrationSet(name: "feedback", migrations: [
        Migration(version: 7, name: "app predictions and clinician reviews") { db in
            // Every answer an app gives about a case is kept with the model version and the
            // (de-identified) input blob, so a reviewer's verdict can become training data.
            try await db.create(table: "predictions")
                .column("prediction_id", type: .text, .primaryKey(autoIncrement: false))
                .column("task", type: .text, .notNull)
                .column("model", type: .text, .notNull)
                .column("version", type: .bigint, .notNull)
                .column("input_sha256", type: .text)
                .column("input_kind", type: .text, .notNull)
                .column("predicted_label", type: .text, .notNull)
                .column("output", type: .text, .notNull)
                .column("created_by", type: .text, .notNull)
                .column("created_at", type: .real, .notNull)
                .run()
            try await db.create(table: "prediction_reviews")
                .column("review_id", type: .text, .primaryKey(autoIncrement: false))
                .column("prediction_id", type: .text, .notNull, .references("predictions", "prediction_id"))
                .column("decision", type: .text, .notNull)
                .column("label", type: .text, .notNull)
                .column("notes", type: .text)
                .column("reviewer", type: .text, .notNull)
                .column("created_at", type: .real, .notNull)
                .run()
            try await db.create(index: "prediction_reviews_by_prediction").on("prediction_reviews").column("prediction_id").run()
        },
        Migration(version: 8, name: "labelled datasets exported from reviews") { db in
            // One row per dataset version; the case list itself is a manifest blob.
            try await db.create(table: "feedback_datasets")
                .column("name", type: .text, .notNull)
                .column("version", type: .bigint, .notNull)
                .column("model", type: .text)
                .column("task", type: .text)
                .column("cases", type: .bigint, .notNull)
                .column("labels", type: .text, .notNull)
                .column("manifest_sha256", type: .text, .notNull)
                .column("created_by", type: .text, .notNull)
                .column("created_at", type: .real, .notNull)
                .primaryKey("name", "version")
                .run()
        },
        Migration(version: 9, name: "mask corrections in reviews") { db in
            // A reviewer may upload a corrected segmentation mask: a blob, referenced by the review.
            try await db.alter(table: "prediction_reviews").column("mask_sha256", type: .text).run()
        },
    ])
}
