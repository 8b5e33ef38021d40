import Foundation
import Hummingbird
import ImagingApp
import KilnCore
import KilnFeedback
import KilnHTTPKit
import KilnJobs
import KilnStore
import Nifti

/// The medical imaging app's routes at the seed's paths (`/predict/...`). Any authenticated
/// caller may predict; a review (the platform's feedback store) needs a reviewing role.
struct ImagingController {
    let biomarkers: BiomarkerService
    let ct: CTClassificationService
    let mri: MRISegmentationService
    let jobs: JobService
    let blobs: BlobStore
    let reviews: ReviewService
    let archive: PredictionArchive
    let reviewers: [Role]
    let json: JSONBody
    let limits: Limits
    let staging: URL

    func addRoutes(predict: RouterGroup<KilnRequestContext>) {
        predict.post("biomarker_prediction", use: biomarkerPrediction)
        predict.post("ct_classification", use: ctClassification)
        predict.post("mri_segmentation", use: mriSegmentation)
        predict.get("task_status/:task_id", use: taskStatus)
        predict.get("task_status/:task_id/mask", use: taskMask)
        predict.get("task_status/:task_id/preview", use: taskPreview)
        predict.group(":prediction_id").add(middleware: RequireRoleMiddleware(reviewers)).post("review", use: review)
    }

    struct BiomarkerRequest: Decodable {
        var features: [String: Double]
        var model: String?
        /// `tree_shap`, `kernel_shap` or `lime`.
        var method: String?
    }

    @Sendable func biomarkerPrediction(_ request: Request, context: KilnRequestContext) async throws -> Response {
        let body = try await json.decode(BiomarkerRequest.self, from: request, context: context)
        return JSONBody.response(json: try await biomarkers.predict(
            features: body.features, model: body.model, method: body.method, actor: try context.principal().actor))
    }

    /// A multipart body with one file part, `file`, and text fields: the fields, the file's name
    /// and its bytes (staged on disk while the body streams in, removed afterwards).
    private func receiveFile(_ request: Request, what: String) async throws -> (MultipartUpload.Result, String, Data) {
        let folder = staging.appendingPathComponent("upload-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let received = try await MultipartUpload.receive(
            request, into: folder,
            fileNames: { field, _ in
                guard field == "file" else { throw KilnError.invalidArgument("unexpected file field '\(field.prefix(64))'; send \(what) as 'file'") }
                return "upload"
            },
            maxBytes: limits.maxUploadBytes, maxFieldBytes: limits.maxJSONBodyBytes, syncFiles: false)
        guard let file = received.files["file"] else { throw KilnError.invalidArgument("missing the 'file' part (\(what))") }
        return (received, file.filename, try Data(contentsOf: file.path))
    }

    @Sendable func mriSegmentation(_ request: Request, context: KilnRequestContext) async throws -> Response {
        let (received, filename, bytes) = try await receiveFile(request, what: "a NIfTI volume, .nii or .nii.gz")
        let (job, created) = try await mri.submit(
            [UInt8](bytes), filename: filename,
            model: received.fields["model"].flatMap { $0.isEmpty ? nil : $0 }, actor: try context.principal().actor,
            idempotencyKey: request.headers[.idempotencyKey])
        let statusURL = "/predict/task_status/\(job.id)"
        return JSONBody.response(json: .object([
            "task_id": .string(job.id), "status": .string(job.state.rawValue), "status_url": .string(statusURL),
            "events_url": .string("/v1/jobs/\(job.id)/events"),
        ]), status: created ? .accepted : .ok, headers: [.location: statusURL])
    }

    /// An MRI segmentation job the caller may see (its owner, or an admin).
    private func task(_ context: KilnRequestContext) async throws -> JobRecord {
        let id = try context.parameters.require("task_id")
        guard let job = try await jobs.find(id: id, visibleTo: try context.principal()), job.kind == MRISegmentationJob.kind else {
            throw KilnError.notFound("no segmentation task \(id.prefix(80))")
        }
        return job
    }

    @Sendable func taskStatus(_ request: Request, context: KilnRequestContext) async throws -> Response {
        let job = try await task(context)
        var result: JSONValue = .null
        if job.state == .succeeded, let text = job.result, case .object(var object) = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) {
            object["mask_url"] = .string("/predict/task_status/\(job.id)/mask")
            object["preview_url"] = .string("/predict/task_status/\(job.id)/preview")
            result = .object(object)
        }
        func date(_ value: Date?) -> JSONValue { value.map { .string(ISO8601DateFormatter().string(from: $0)) } ?? .null }
        return JSONBody.response(json: .object([
            "task_id": .string(job.id), "status": .string(job.state.rawValue), "progress": .number(job.progress),
            "progress_message": job.progressMessage.map(JSONValue.string) ?? .null,
            "created_at": date(job.createdAt), "started_at": date(job.startedAt), "finished_at": date(job.finishedAt),
            "result": result,
            "error": job.errorCode.map { .object(["code": .string($0), "message": .string(job.errorMessage ?? "")]) } ?? .null,
        ]))
    }

    @Sendable func taskMask(_ request: Request, context: KilnRequestContext) async throws -> Response {
        try await taskBlob(context, pick: \.maskBlob, contentType: "application/gzip", filename: "mask.nii.gz")
    }

    @Sendable func taskPreview(_ request: Request, context: KilnRequestContext) async throws -> Response {
        try await taskBlob(context, pick: \.previewBlob, contentType: "image/png", filename: "preview.png")
    }

    private func taskBlob(_ context: KilnRequestContext, pick: KeyPath<MRISegmentationJob.Output, String>, contentType: String, filename: String) async throws -> Response {
        let job = try await task(context)
        guard job.state == .succeeded, let text = job.result else {
            throw KilnError.conflict("task \(job.id) is \(job.state.rawValue); its files exist once it has succeeded", details: ["state": .string(job.state.rawValue)])
        }
        let output = try JobCoding.decode(MRISegmentationJob.Output.self, from: text)
        guard let url = blobs.fileURL(sha256: output[keyPath: pick]) else { throw KilnError.notFound("the files of task \(job.id) are no longer stored") }
        return Response(status: .ok, headers: [.contentType: contentType, .contentDisposition: "attachment; filename=\"\(filename)\""],
                        body: .init(byteBuffer: ByteBuffer(bytes: try Data(contentsOf: url))))
    }

    @Sendable func ctClassification(_ request: Request, context: KilnRequestContext) async throws -> Response {
        let (received, _, bytes) = try await receiveFile(request, what: "a DICOM file, PNG or JPEG")
        var options = CTClassificationService.Options()
        options.window = received.fields["window"].flatMap { $0.isEmpty ? nil : $0 }
        options.model = received.fields["model"].flatMap { $0.isEmpty ? nil : $0 }
        if let text = received.fields["return_heatmap"] {
            switch text.lowercased() {
            case "true", "1", "yes": options.returnHeatmap = true
            case "false", "0", "no": options.returnHeatmap = false
            default: throw KilnError.invalidArgument("return_heatmap must be true or false")
            }
        }
        if let text = received.fields["frame"] {
            guard let frame = Int(text), frame >= 0 else { throw KilnError.invalidArgument("frame must be a non-negative integer") }
            options.frame = frame
        }
        let answer = try await ct.classify(bytes, options: options, actor: try context.principal().actor)
        return JSONBody.response(json: answer)
    }

    /// JSON (`confirm`, `correct`, `note`), or multipart with the corrected mask as `file` (a
    /// NIfTI label volume of the input's dimensions) for `correct_mask` on a segmentation.
    @Sendable func review(_ request: Request, context: KilnRequestContext) async throws -> Response {
        if let type = request.headers[.contentType], type.lowercased().hasPrefix("multipart/form-data") {
            return try await maskReview(request, context: context)
        }
        let body = try await json.decode(ReviewService.Request.self, from: request, context: context)
        let answer = try await reviews.review(predictionID: try context.parameters.require("prediction_id"), body,
                                              reviewer: try context.principal().actor)
        return JSONBody.response(json: answer, status: .created)
    }

    @Sendable func maskReview(_ request: Request, context: KilnRequestContext) async throws -> Response {
        let predictionID = try context.parameters.require("prediction_id")
        let prediction = try await reviews.prediction(id: predictionID)
        guard prediction.task == MRISegmentationJob.task else {
            throw KilnError.invalidArgument("only segmentations take a corrected mask; prediction \(predictionID.prefix(64)) is a \(prediction.task)")
        }
        let (received, _, bytes) = try await receiveFile(request, what: "the corrected mask, a NIfTI label volume (.nii or .nii.gz)")
        let mask = try NiftiVolume.read([UInt8](bytes))
        if let input = try archive.input(of: prediction) {
            let original = try NiftiVolume.read([UInt8](input))
            guard mask.dimensions.prefix(3) == original.dimensions.prefix(3) else {
                throw KilnError.invalidArgument("the mask is \(mask.dimensions.prefix(3)) voxels; the segmented volume is \(original.dimensions.prefix(3))")
            }
        }
        guard mask.values.allSatisfy({ $0 >= 0 && $0 < 256 && $0.rounded() == $0 }) else {
            throw KilnError.invalidArgument("a label mask holds whole numbers 0…255")
        }
        let archive = self.archive
        let answer = try await reviews.review(
            predictionID: predictionID, decision: received.fields["decision"] ?? "correct_mask", label: nil,
            notes: received.fields["notes"].flatMap { $0.isEmpty ? nil : $0 },
            storeMask: { try await archive.storeCorrection([UInt8](bytes), predictionID: predictionID) },
            reviewer: try context.principal().actor)
        return JSONBody.response(json: answer, status: .created)
    }
}
