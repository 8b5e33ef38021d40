import Foundation
import KilnCore
import KilnJobs
import KilnLLM
import KilnStore
import KilnTracking
import ReportSpec

/// The `ctr.report_pdf` job: the AI report of a finished run, with its charts, rendered by the
/// `kiln-report-pdf` program (cairo + pango, Noto Sans CJK) and stored as the run's
/// `reports/report.pdf` artifact.
public struct CTRPDFJob: JobHandler {
    public static let kind = "ctr.report_pdf"
    static let artifact = "reports/report.pdf"

    public struct Parameters: Codable, Sendable {
        public var runId: String
        public var language: String
        public var includeCharts: Bool
        public var includeInsights: Bool
        public var includeActionPlan: Bool
    }

    public struct Output: Codable, Sendable {
        public var runId: String
        public var bytes: Int
    }

    let reader: CTRRunReader
    let report: CTRReport
    let artifacts: ArtifactService
    let renderer: String

    /// - Parameter renderer: the `kiln-report-pdf` executable; default beside the running program.
    public init(tracking: TrackingService, artifacts: ArtifactService, files: CTRFileRepository, settings: CTRSettings,
                llm: ChatCompletionsClientProvider, renderer: String? = nil) {
        reader = CTRRunReader(tracking: tracking, artifacts: artifacts, files: files)
        report = CTRReport(settings: settings, llm: llm.client)
        self.artifacts = artifacts
        self.renderer = renderer ?? Self.defaultRenderer()
    }

    /// `KILN_REPORT_PDF`, else `kiln-report-pdf` next to the running executable (SwiftPM builds both into one folder).
    static func defaultRenderer() -> String {
        InstalledFile.path("kiln-report-pdf", overriddenBy: "KILN_REPORT_PDF")
    }

    public func run(_ parameters: Parameters, context: JobContext) async throws -> Output {
        let results = try await reader.results(runID: parameters.runId)
        await context.progress(0.1, "writing the report")
        let written = await report.write(results, language: parameters.language)
        var curves: [CTRReportSpec.Series] = []
        for key in ["train_loss", "val_loss", "val_auc"] {
            let points = try await reader.history(runID: parameters.runId, key: key)
            if !points.isEmpty { curves.append(.init(name: key, points: points.map { [Double($0.epoch), $0.value] })) }
        }
        let spec = CTRPDFSpecBuilder.spec(results: results, report: written, curves: curves, parameters: parameters)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-pdf-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let specFile = folder.appendingPathComponent("spec.json"), pdf = folder.appendingPathComponent("report.pdf")
        try JSONEncoder().encode(spec).write(to: specFile)
        await context.progress(0.3, "rendering")
        try await Self.render(renderer: renderer, spec: specFile, output: pdf, errors: folder.appendingPathComponent("stderr.txt"))
        guard let root = try ArtifactService.path(ofURI: results.run.info.artifactURI) else {
            throw JobFailure(code: "artifact_location", message: "run \(parameters.runId) stores artifacts outside Kiln")
        }
        let stored = try await artifacts.put(path: "\(root)/\(Self.artifact)", body: FileChunks(url: pdf))
        return Output(runId: parameters.runId, bytes: Int(stored.size))
    }

    /// Runs the renderer without blocking a thread of the cooperative pool.
    /// `errors` receives the renderer's standard error (a file, not a pipe: a pipe the child fills
    /// while nobody reads would block it).
    static func render(renderer: String, spec: URL, output: URL, errors: URL) async throws {
        guard FileManager.default.isExecutableFile(atPath: renderer) else {
            throw JobFailure(code: "renderer_missing", message: "the PDF renderer \(renderer) is not installed next to kiln")
        }
        guard FileManager.default.createFile(atPath: errors.path, contents: nil) else {
            throw JobFailure(code: "render_failed", message: "cannot create \(errors.path)")
        }
        let errorHandle = try FileHandle(forWritingTo: errors)
        defer { try? errorHandle.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: renderer)
        process.arguments = [spec.path, output.path]
        process.standardError = errorHandle
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        guard status == 0 else {
            let message = String(decoding: ((try? Data(contentsOf: errors)) ?? Data()).prefix(500), as: UTF8.self)
            throw JobFailure(code: "render_failed", message: "kiln-report-pdf exited with \(status): \(message)")
        }
    }
}

/// The PDF's content from a run's report and analysis, in the report's language.
enum CTRPDFSpecBuilder {
    static func spec(results: CTRRunReader.RunResults, report: CTRReport.Written, curves: [CTRReportSpec.Series], parameters: CTRPDFJob.Parameters) -> CTRReportSpec {
        let korean = parameters.language == "ko"
        let facts = report.facts
        let rows: [(String, String, String)] = [
            ("정확도", "Accuracy", String(format: "%.1f%%", facts.accuracy)),
            ("ROC AUC", "ROC AUC", String(format: "%.4f", facts.auc)),
            ("정밀도", "Precision", String(format: "%.3f", facts.precision)),
            ("재현율", "Recall", String(format: "%.3f", facts.recall)),
            ("F1", "F1", String(format: "%.3f", facts.f1Score)),
            ("평균 CTR", "Average CTR", String(format: "%.3f%%", facts.baseCTR)),
            ("상위 10% CTR", "Top-decile CTR", String(format: "%.3f%%", facts.topDecileCTR)),
            ("리프트", "Lift", String(format: "%.2f×", facts.lift)),
            ("ROI 증가", "ROI increase", String(format: "%.1f%%", facts.roiIncrease)),
            ("월 추가 수익", "Additional revenue / month", "\(CTRReport.grouped(facts.additionalRevenue)) \(facts.currency)"),
        ]
        let top = results.analysis.features.indices.sorted { results.analysis.features[$0].importance > results.analysis.features[$1].importance }
        let bars = top.prefix(10).map { index in
            let feature = results.analysis.features[index]
            let label = results.description(feature.feature) == feature.feature ? feature.feature : "\(results.description(feature.feature)) (\(feature.feature))"
            return CTRReportSpec.Bar(label: label, value: feature.importance, low: feature.ci.first ?? feature.importance, high: feature.ci.last ?? feature.importance)
        }
        let heat = Array(top.prefix(10))
        let date = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(results.run.info.endTime ?? results.run.info.startTime) / 1000))
        return CTRReportSpec(
            title: korean ? "CTR 예측 모델 분석 보고서" : "CTR model analysis report",
            subtitle: "run \(results.run.info.runID) · \(results.modelKind.uppercased()) · \(results.modelName ?? "")\(results.modelVersion.map { " v\($0)" } ?? "") · \(date) · " +
                (korean ? "Kiln 데모 모델" : "Kiln demo model"),
            labels: korean
                ? .init(summary: "요약", metrics: "핵심 지표 (검증 데이터)", curves: "학습 곡선", importance: "피처 중요도 (95% 신뢰구간)", correlation: "상관관계 (피어슨)",
                        insights: "AI 인사이트", actionPlan: "실행 계획", footer: "Kiln CTR 보고서")
                : .init(summary: "Summary", metrics: "Key metrics (validation data)", curves: "Training curves", importance: "Feature importance (95% CI)",
                        correlation: "Correlation (Pearson)", insights: "Insights", actionPlan: "Action plan", footer: "Kiln CTR report"),
            summary: report.narrative.summary,
            metrics: rows.map { .init(label: korean ? $0.0 : $0.1, value: $0.2) },
            curves: curves, importance: Array(bars),
            importanceCaption: results.analysis.importanceMethod ?? FeatureAnalysis.gainMethod,
            correlationFeatures: heat.map { results.analysis.features[$0].feature },
            correlation: heat.map { i in heat.map { j in results.analysis.correlation[i][j] } },
            insights: report.narrative.aiInsights, actionPlan: report.narrative.actionPlan,
            includeCharts: parameters.includeCharts, includeInsights: parameters.includeInsights, includeActionPlan: parameters.includeActionPlan)
    }
}
