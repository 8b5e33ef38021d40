import Foundation
import KilnCore
import KilnTracking

/// Reads CTR trainings back: the run, and what a finished one left for the reports. Used by
/// the service, the report builders and the PDF job.
struct CTRRunReader: Sendable {
    let tracking: TrackingService
    let artifacts: ArtifactService
    let files: CTRFileRepository

    /// The tracking run `runID`, if it is a CTR training.
    func trainingRun(_ runID: String) async throws -> Run {
        let run = try await tracking.run(id: runID)
        guard run.tags.contains(CTRService.appTag) else { throw KilnError.notFound("no CTR training run '\(runID.prefix(64))'") }
        return run
    }

    /// What a finished training left for the reports.
    struct RunResults: Sendable {
        var run: Run
        var analysis: FeatureAnalysis
        var evaluation: CTREvaluation
        var descriptions: [String: String]

        var modelName: String? { run.tags.first { $0.key == "kiln.model_name" }?.value }
        var modelVersion: Int? { (run.tags.first { $0.key == "kiln.model_version" }?.value).flatMap { Int($0) } }
        var modelKind: String { run.params.first { $0.key == "model" }?.value ?? "" }

        func description(_ feature: String) -> String { descriptions[feature] ?? feature }
    }

    /// The reports' inputs for a finished run; `conflict` while it trains.
    func results(runID: String) async throws -> RunResults {
        let run = try await trainingRun(runID)
        guard run.info.status == .finished else {
            throw KilnError.conflict("run \(runID) has not finished training (status \(CTRService.seedStatus(run.info.status)))")
        }
        guard let root = try ArtifactService.path(ofURI: run.info.artifactURI) else {
            throw KilnError.notFound("run \(runID) stores its artifacts outside Kiln")
        }
        func load<T: Decodable>(_ type: T.Type, _ path: String) async throws -> T {
            let (_, url) = try await artifacts.file(path: "\(root)/\(path)")
            return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
        }
        return RunResults(run: run, analysis: try await load(FeatureAnalysis.self, CTRService.analysisArtifact),
                          evaluation: try await load(CTREvaluation.self, CTRService.evaluationArtifact),
                          descriptions: try await descriptions(runID: runID))
    }

    /// The newest finished CTR run, if any.
    func latestFinishedRunID() async throws -> String? {
        guard let experiment = try? await tracking.experiment(named: CTRService.experimentName, creating: false) else { return nil }
        let page = try await tracking.searchRuns(
            experimentIDs: [String(experiment.id)], filter: "tags.`\(CTRService.appTag.key)` = '\(CTRService.appTag.value)' and attributes.status = 'FINISHED'",
            view: .activeOnly, orderBy: ["attributes.start_time DESC"], maxResults: 1, pageToken: nil)
        return page.items.first?.info.runID
    }

    /// The feature descriptions uploaded with the run's file (empty without a mapping).
    func descriptions(runID: String) async throws -> [String: String] {
        let run = try await trainingRun(runID)
        guard let fileID = run.tags.first(where: { $0.key == "kiln.file_id" })?.value, let file = try await files.find(id: fileID),
              case .object(let summary) = file.summary, case .object(let descriptions)? = summary["descriptions"] else { return [:] }
        return descriptions.compactMapValues { if case .string(let text) = $0 { text } else { nil } }
    }

    /// Each epoch's value of `key` as (epoch, value) pairs.
    func history(runID: String, key: String) async throws -> [(epoch: Int, value: Double)] {
        try await tracking.metricHistory(runID: runID, key: key, maxResults: nil, pageToken: nil).items.map { (Int($0.step), $0.value) }
    }
}
