import KilnCore
import KilnStore
import SQLKit

/// The feedback store's services, built once on one database: apps archive predictions, people
/// review them, reviews become labelled datasets.
public struct FeedbackServices: Sendable {
    public let predictions: PredictionRepository
    public let archive: PredictionArchive
    public let reviews: ReviewService
    public let datasets: FeedbackDatasetService
    public let statistics: FeedbackStatistics
    public let labelStudio: LabelStudioExchange

    public init(db: any SQLDatabase, blobs: BlobStore, references: any BlobReferenceRepository) {
        predictions = PredictionRepository(db: db)
        archive = PredictionArchive(predictions: predictions, blobs: blobs, references: references)
        reviews = ReviewService(predictions: predictions)
        datasets = FeedbackDatasetService(predictions: predictions, db: db, blobs: blobs, references: references)
        statistics = FeedbackStatistics(predictions: predictions)
        labelStudio = LabelStudioExchange(predictions: predictions, reviews: reviews, blobs: blobs)
    }
}
