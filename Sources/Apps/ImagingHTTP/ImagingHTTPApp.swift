import Dicom
import Hummingbird
import ImagingApp
import ImagingDemo
import KilnAppKit
import KilnCore
import KilnJobs
import KilnRetraining
import Nifti
import ZlibCodec

/// The medical imaging app (seed 000): CT classification with Grad-CAM, MRI segmentation as a
/// job, biomarker prediction with SHAP; every answer is archived for clinician review.
public struct ImagingHTTPApp: KilnApp {
    public init() {}

    public var name: String { "imaging" }

    public var settings: [ConfigSetting] { ImagingSettings.settings }

    /// Unusable uploads that are well-formed HTTP are 422, whichever engine refused them.
    public var errorCodes: [ErrorCode: HTTPResponse.Status] {
        Dictionary(uniqueKeysWithValues: (ErrorCode.dicom + ErrorCode.nifti + [.invalidZip]).map { ($0, .unprocessableContent) })
    }

    public static let clinician = Role("clinician")

    public var roles: [AppRole] { [AppRole(Self.clinician, reviewsPredictions: true)] }

    public var openAPIFragment: String? { ImagingOpenAPI.fragment }

    public func build(_ platform: KilnPlatform) async throws -> AppParts {
        let settings = platform.settings(ImagingSettings.self)
        let feedback = platform.feedback
        let segmentation = RegisteredJobKind(
            MRISegmentationJob(registry: platform.models, archive: feedback.archive), workers: 1, timeout: .seconds(600), maxAttempts: 2,
            resultBlobs: { [$0.maskBlob, $0.previewBlob] })
        let runtimes = platform.runtimes
        // The closed loop retrains the CT classifier (fine-tuned on reviewed slices), the MRI
        // segmenter (fine-tuned on corrected masks) and the biomarker model (refitted with
        // reviewed labels); see KilnRetraining.
        let retrainers: [any ModelRetrainer] = [
            CTRetrainer(torch: { try runtimes.torchRuntime() }),
            MRIRetrainer(torch: { try runtimes.torchRuntime() }),
            BiomarkerRetrainer(library: { try runtimes.xgboostLibrary() }),
        ]
        return AppParts(jobKinds: [segmentation], retrainers: retrainers) { routes in
            ImagingController(
                biomarkers: BiomarkerService(registry: platform.models, archive: feedback.archive, inference: platform.inference,
                                             explainer: platform.explainer),
                ct: CTClassificationService(registry: platform.models, inference: platform.inference, archive: feedback.archive, keepIdentifiers: settings.storeIdentifiedDICOM),
                mri: MRISegmentationService(registry: platform.models, jobs: routes.jobs, blobs: platform.blobs),
                jobs: routes.jobs, blobs: platform.blobs, reviews: feedback.reviews, archive: feedback.archive, reviewers: routes.reviewers,
                json: platform.json, limits: platform.limits, staging: platform.staging
            ).addRoutes(predict: routes.group("predict"))
        }
    }
}
