import Dicom
import Foundation
import KilnCore
import KilnFeedback
import KilnJobs
import KilnML
import KilnServing
import KilnStore
import Nifti
import Torch

/// The `imaging.mri_segmentation` job: segments the stored NIfTI volume with a TorchScript
/// segmentation model and stores the label mask (NIfTI, the input's geometry) and a preview PNG
/// as result blobs. The answer has per-label voxel counts and volumes, and the lesion's box.
public struct MRISegmentationJob: JobHandler {
    public static let kind = "imaging.mri_segmentation"

    public struct Parameters: Codable, Sendable {
        public var model: String
        /// The version resolved when the job was submitted, so an alias moved meanwhile does not
        /// change what the job runs.
        public var version: Int
        public var input: String
        public var filename: String
    }

    public struct Output: Codable, Sendable {
        public struct Label: Codable, Sendable {
            public var label: Int
            public var name: String
            public var voxels: Int
            public var volumeMl: Double
        }

        public struct BoundingBox: Codable, Sendable {
            /// Inclusive voxel indices, x y z.
            public var minVoxel: [Int]
            public var maxVoxel: [Int]
            public var sizeMm: [Double]
        }

        public struct InputFacts: Codable, Sendable {
            public var filename: String
            public var dimensions: [Int]
            public var spacingMm: [Double]
            public var orientation: String
            public var datatype: Int
            public var volumes: Int
        }

        public var model: ImagingModelBlock
        public var input: InputFacts
        public var labels: [Label]
        public var lesionBoundingBox: BoundingBox?
        /// The blobs: the mask (`.nii.gz`) and the preview (PNG); fetch through the task's URLs.
        public var maskBlob: String
        public var previewBlob: String
        public var previewSlice: Int
        public var processingTimeMs: [String: Double]
        /// The segmentation as a stored prediction, for review (absent in results from before
        /// segmentations were archived).
        public var predictionId: String?
    }

    public static let task = "mri_segmentation"
    public let registry: ModelRegistry
    public let archive: PredictionArchive

    public init(registry: ModelRegistry, archive: PredictionArchive) {
        self.registry = registry
        self.archive = archive
    }

    public func run(_ parameters: Parameters, context: JobContext) async throws -> Output {
        var stages = StageClock()
        await context.progress(0.05, "reading the volume")
        let volume = try NiftiVolume.read([UInt8](try context.input(parameters.input)))
        // Normalised once: the segmenter and the preview both use it.
        let image = FloatVolume(dimensions: volume.dimensions, values: volume.values).normalisedByQuantiles()
        stages.lap("read")
        try context.checkCancellation()
        await context.progress(0.15, "loading the model")
        // A job can wait for a load (after a restart, or an unload by the memory budget).
        let loaded = try await registry.resolveLoading(parameters.model, version: String(parameters.version), always: true)
        let preprocessing = try MRIPreprocessing(config: loaded.config)
        stages.lap("load_model")
        await context.progress(0.25, "segmenting")
        let labels = try await loaded.scheduler.perform((any TorchScriptMethods).self) { torch -> [UInt8] in
            do {
                return try MRISegmenter.segment(normalised: image, module: torch.module, preprocessing: preprocessing)
            } catch let error as TorchError {
                throw JobFailure(code: "model_rejected_input", message: "the model rejected the volume: \(error.message)")
            }
        }
        stages.lap("segment")
        await context.progress(0.85, "writing the mask and preview")
        let statistics = MaskStatistics(labels: labels, dimensions: volume.dimensions, labelCount: preprocessing.labels.count)
        let mask = try NiftiLabelMask.encode(labels, like: volume, description: "Kiln \(loaded.name) v\(loaded.version) labels")
        let slice = statistics.busiestSlice ?? volume.dimensions[2] / 2
        let preview = try SegmentationPreview.png(normalised: image, labels: labels, slice: slice)
        let maskBlob = try await context.store(mask)
        let previewBlob = try await context.store([UInt8](preview))
        stages.lap("write")

        // Archived last, so that a retried attempt never finds its own prediction stored.
        func name(_ label: Int) -> String { label < preprocessing.labels.count ? preprocessing.labels[label] : "label_\(label)" }
        let lesion = statistics.counts.indices.dropFirst().max { statistics.counts[$0] < statistics.counts[$1] }
        let predicted = name(lesion.flatMap { statistics.counts[$0] > 0 ? $0 : nil } ?? 0)
        let predictionID = PredictionArchive.newPredictionID()
        try await archive.keep(
            id: predictionID, task: Self.task, model: (loaded.name, loaded.version), inputSHA256: parameters.input, inputKind: "nifti",
            predictedLabel: predicted,
            output: .object([
                "job_id": .string(context.job.id), "mask_sha256": .string(maskBlob.sha256),
                "voxels": .object(Dictionary(uniqueKeysWithValues: statistics.counts.indices.map { (name($0), JSONValue.int(statistics.counts[$0])) })),
            ]),
            actor: context.job.owner)

        return Output(
            model: ImagingModelBlock(loaded),
            input: .init(filename: parameters.filename, dimensions: volume.dimensions, spacingMm: volume.spacing,
                         orientation: volume.orientation, datatype: volume.datatype, volumes: volume.volumes),
            labels: statistics.counts.indices.map { label in
                .init(label: label, name: label < preprocessing.labels.count ? preprocessing.labels[label] : "label_\(label)",
                      voxels: statistics.counts[label], volumeMl: (Double(statistics.counts[label]) * volume.voxelVolumeML * 1000).rounded() / 1000)
            },
            lesionBoundingBox: statistics.box.map { box in
                .init(minVoxel: box.min, maxVoxel: box.max, sizeMm: (0..<3).map { Double(box.max[$0] - box.min[$0] + 1) * volume.spacing[$0] })
            },
            maskBlob: maskBlob.sha256, previewBlob: previewBlob.sha256, previewSlice: slice, processingTimeMs: stages.milliseconds,
            predictionId: predictionID)
    }
}

/// `POST /predict/mri_segmentation`: checks the upload and the model at once (a bad file is a
/// 422 now, not a failed job later), stores the volume and queues the job.
public struct MRISegmentationService: Sendable {
    public static let defaultModel = "\(ImagingModels.mriSegmenter)@production"

    public let registry: ModelRegistry
    public let jobs: JobService
    public let blobs: BlobStore
    let upload: MRIUpload

    public init(registry: ModelRegistry, jobs: JobService, blobs: BlobStore, dicom: DicomEngine = DicomEngine()) {
        self.registry = registry
        self.jobs = jobs
        self.blobs = blobs
        self.upload = MRIUpload(dicom: dicom)
    }

    public func submit(_ upload: [UInt8], filename: String, model: String?, actor: String, idempotencyKey: String?) async throws -> (job: JobRecord, created: Bool) {
        let volume = try self.upload.niftiFile(from: upload)
        let loaded = try await registry.resolveLoading(model ?? Self.defaultModel)
        guard loaded.config.platform == .pytorchLibtorch else {
            throw KilnError.invalidArgument("model '\(loaded.name)' is not a TorchScript model; MRI segmentation runs TorchScript segmenters")
        }
        _ = try MRIPreprocessing(config: loaded.config)
        let stored = try await blobs.write(bytes: volume).sha256
        let parameters = MRISegmentationJob.Parameters(model: loaded.name, version: loaded.version, input: stored, filename: String(filename.prefix(255)))
        return try await jobs.submit(kind: MRISegmentationJob.kind, parameters: try JobCoding.encode(parameters), inputBlobs: [stored],
                                     owner: actor, idempotencyKey: idempotencyKey)
    }
}
