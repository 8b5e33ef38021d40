import CTRApp
import Foundation
import Hummingbird
import HummingbirdWebSocket
import HTTPTypes
import KilnCore
import KilnHTTPKit
import KilnJobs
import KilnStore

/// The CTR analytics app's routes at the seed's paths (`/api/upload`, `/api/train`, …).
/// Any authenticated caller may use them; errors are in Kiln's native shape.
struct CTRController {
    let service: CTRService
    let operations: CTROperations
    let json: JSONBody
    let limits: Limits
    let jobs: JobService
    /// How long `generate-pdf` waits for the PDF before answering 202 (`ctr_pdf_wait`).
    let pdfWait: Duration
    /// Where uploads are streamed before they are parsed and stored (inside the blob store's
    /// temporary folder, which is emptied at start after a crash).
    let staging: URL

    func addRoutes(to api: RouterGroup<KilnRequestContext>, webSocket: RouterGroup<KilnRequestContext>) {
        webSocket.webSocketPush("training/{run_id}", shouldUpgrade: { request, context in
            _ = try await service.status(runID: try context.parameters.require("run_id"))  // unknown runs: 404 before upgrading
            _ = try Self.since(request)
            _ = try Self.language(request)
        }, send: { outbound, context in
            let english = try Self.language(context.request) == "en"
            let since = try Self.since(context.request)
            let (first, live) = try await service.trainingMessages(runID: try context.requestContext.parameters.require("run_id"), since: since)
            var last = since ?? 0
            // Each message once, in the client's language, even where the replay and the live stream overlap.
            func send(_ message: JSONValue) async throws {
                guard case .object(var fields) = message else { return }
                if case .number(let seq)? = fields["seq"] {
                    guard Int(seq) > last else { return }
                    last = Int(seq)
                }
                if let translated = fields.removeValue(forKey: "message_en"), english { fields["message"] = translated }
                try await outbound.write(.text(String(decoding: JSONValue.object(fields).jsonBytes, as: UTF8.self)))
            }
            for message in first { try await send(message) }
            guard let live else { return }
            for await message in live { try await send(message) }
        })
        api.post("upload", use: upload)
        api.post("train", use: train)
        api.get("train/status/{run_id}", use: status)
        api.get("train/runs", use: runs)
        api.get("report/feature-importance/{run_id}", use: featureImportance)
        api.get("report/correlation/{run_id}", use: correlation)
        api.get("report/ai/{run_id}", use: aiReport)
        api.get("performance/{run_id}", use: performance)
        api.post("report/generate-pdf/{run_id}", use: generatePDF)
        api.get("report/pdf/{run_id}", use: pdf)
        api.get("dashboard/si", use: { _, _ in JSONBody.response(json: try await operations.operatorDashboard()) })
        api.get("dashboard/client", use: { _, _ in JSONBody.response(json: try await operations.clientDashboard()) })
        webSocket.webSocketPush("performance", shouldUpgrade: { request, _ in
            // An unknown or unfinished run is refused now rather than closing the socket later.
            if let runID = request.formQuery["run_id"] { _ = try await operations.performance(runID: String(runID)) }
        }, send: { outbound, context in
            let runID = context.request.formQuery["run_id"]
            var crossed: Set<String> = []
            while !Task.isCancelled {
                for message in try await operations.performanceMessages(runID: runID, crossed: &crossed) {
                    try await outbound.write(.text(String(decoding: message.jsonBytes, as: UTF8.self)))
                }
                try await Task.sleep(for: operations.interval)
            }
        })
    }

    /// `?since=`: the `seq` of the last training message the client saw (a reconnect).
    static func since(_ request: Request) throws -> Int? {
        guard let text = request.formQuery["since"] else { return nil }
        guard let value = Int(text), value >= 0, value <= 1 << 53 else {
            throw KilnError.invalidArgument("since must be the seq of a message (an integer ≥ 0)", details: ["field": "since"])
        }
        return value
    }

    /// `?lang=ko` (default: the seed's Korean) or `en`.
    static func language(_ request: Request) throws -> String {
        let language = request.formQuery["lang"].map { String($0) } ?? "ko"
        guard ["ko", "en"].contains(language) else { throw KilnError.invalidArgument("lang must be 'ko' or 'en'", details: ["field": "lang"]) }
        return language
    }

    /// multipart/form-data with the CSV in the `file` part and, optionally, a `feature,description`
    /// CSV in the `mapping` part.
    @Sendable func upload(_ request: Request, context: KilnRequestContext) async throws -> Response {
        let folder = staging.appendingPathComponent("ctr-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let received = try await MultipartUpload.receive(
            request, into: folder,
            fileNames: { field, _ in
                switch field {
                case "file": return "upload.csv"
                case "mapping": return "mapping.csv"
                default: throw KilnError.invalidArgument("unexpected file field '\(field.prefix(64))'; send the CSV as 'file' and an optional feature,description CSV as 'mapping'")
                }
            },
            maxBytes: limits.maxUploadBytes, maxFieldBytes: limits.maxJSONBodyBytes, syncFiles: false)
        guard let file = received.files["file"] else { throw KilnError.invalidArgument("missing the 'file' part (a CSV file)") }
        let summary = try await service.upload(filename: String(file.filename.prefix(255)), file: file.path,
                                                 mapping: received.files["mapping"]?.path)
        return JSONBody.response(json: summary)
    }

    struct TrainRequest: Decodable {
        var fileId: String
        var config: CTRTrainingConfig?
    }

    @Sendable func train(_ request: Request, context: KilnRequestContext) async throws -> Response {
        let body = try await json.decode(TrainRequest.self, from: request, context: context)
        let runID = try await service.startTraining(fileID: body.fileId, config: body.config ?? CTRTrainingConfig(),
                                                    actor: try context.principal().actor)
        return JSONBody.response(json: .object(["run_id": .string(runID), "status": "training"]))
    }

    @Sendable func status(_ request: Request, context: KilnRequestContext) async throws -> Response {
        JSONBody.response(json: try await service.status(runID: try context.parameters.require("run_id")))
    }

    @Sendable func runs(_ request: Request, context: KilnRequestContext) async throws -> Response {
        JSONBody.response(json: try await service.runs())
    }

    @Sendable func featureImportance(_ request: Request, context: KilnRequestContext) async throws -> Response {
        JSONBody.response(json: try await service.featureImportance(
            runID: try context.parameters.require("run_id"), method: request.formQuery["method"]))
    }

    /// `?lang=ko` (default) or `en` for the template wording.
    @Sendable func aiReport(_ request: Request, context: KilnRequestContext) async throws -> Response {
        let language = request.formQuery["lang"] ?? "ko"
        return JSONBody.response(json: try await operations.aiReport(runID: try context.parameters.require("run_id"), language: language))
    }

    struct PDFRequest: Decodable {
        var includeCharts: Bool?
        var includeInsights: Bool?
        var includeActionPlan: Bool?
        var lang: String?
    }

    /// Body optional: `{"includeCharts", "includeInsights", "includeActionPlan", "lang"}`.
    @Sendable func generatePDF(_ request: Request, context: KilnRequestContext) async throws -> Response {
        let runID = try context.parameters.require("run_id")
        // The seed's frontend sends options as JSON; a bare POST takes the defaults.
        let options = request.headers[.contentType] == nil ? PDFRequest() : try await json.decode(PDFRequest.self, from: request, context: context)
        let jobID = try await service.generatePDF(
            runID: runID, language: options.lang ?? "ko", includeCharts: options.includeCharts ?? true,
            includeInsights: options.includeInsights ?? true, includeActionPlan: options.includeActionPlan ?? true,
            actor: try context.principal().actor)
        let links: [String: JSONValue] = [
            "pdf_url": .string("/api/report/pdf/\(runID)"), "job_id": .string(jobID), "status_url": .string("/v1/jobs/\(jobID)"),
        ]
        if pdfWait > .zero, let job = try await jobs.waitForEnd(id: jobID, timeout: pdfWait) {
            guard job.state == .succeeded else {
                throw KilnError.conflict("generating the PDF failed: \(job.errorMessage ?? job.state.rawValue)", details: ["job_id": .string(jobID)])
            }
            return JSONBody.response(json: .object(links.merging(["status": "generated"]) { $1 }))
        }
        return JSONBody.response(json: .object(links.merging(["status": "generating"]) { $1 }), status: .accepted)
    }

    @Sendable func pdf(_ request: Request, context: KilnRequestContext) async throws -> Response {
        let runID = try context.parameters.require("run_id")
        let url = try await service.pdf(runID: runID)
        return Response(status: .ok, headers: [.contentType: "application/pdf", .contentDisposition: "inline; filename=\"ctr-report-\(runID).pdf\""],
                        body: .init(byteBuffer: ByteBuffer(bytes: try Data(contentsOf: url))))
    }

    @Sendable func performance(_ request: Request, context: KilnRequestContext) async throws -> Response {
        JSONBody.response(json: try await operations.performance(runID: try context.parameters.require("run_id")))
    }

    @Sendable func correlation(_ request: Request, context: KilnRequestContext) async throws -> Response {
        let text = request.formQuery["k"]
        guard let k = text.map({ Int($0) }) ?? 10 else { throw KilnError.invalidArgument("k must be an integer") }
        return JSONBody.response(json: try await service.correlation(runID: try context.parameters.require("run_id"), k: k))
    }
}
