import Foundation
import KilnCore
import KilnJobs
import KilnStore
import KilnTracking
import KilnML

/// The CTR analytics app (seed 003): uploads, training runs and their status. Training runs
/// are tracking runs in the experiment `ctr`, so they also show in any MLflow client.
public struct CTRService: Sendable {
    public static let experimentName = "ctr"
    /// Where a finished run keeps its feature analysis, under the run's artifact root.
    static let analysisArtifact = "reports/analysis.json"
    /// Validation metrics and deciles of a finished run, under the run's artifact root.
    static let evaluationArtifact = "reports/evaluation.json"
    static let referenceKind = "ctr_file"
    /// Marks the tracking runs that are CTR trainings.
    static let appTag = TrackingTag(key: "kiln.app", value: "ctr")

    let files: CTRFileRepository
    let blobs: BlobStore
    let references: any BlobReferenceRepository
    let tracking: TrackingService
    let jobs: JobService
    let artifacts: ArtifactService
    let feed: TrainingFeed
    let reader: CTRRunReader

    public init(files: CTRFileRepository, blobs: BlobStore, references: any BlobReferenceRepository, tracking: TrackingService,
                jobs: JobService, artifacts: ArtifactService, feed: TrainingFeed) {
        self.artifacts = artifacts
        self.feed = feed
        self.reader = CTRRunReader(tracking: tracking, artifacts: artifacts, files: files)
        self.files = files
        self.blobs = blobs
        self.references = references
        self.tracking = tracking
        self.jobs = jobs
    }

    /// Stores and parses an uploaded CSV (already streamed to `file`, in the blob store's `tmp/`); returns the answer of
    /// `POST /api/upload`. Invalid tables are stored too: the answer lists their problems.
    /// `mapping` is an optional `feature,description` CSV (the seed's Korean feature names),
    /// used wherever a report has a `description`.
    public func upload(filename: String, file: URL, mapping: URL? = nil) async throws -> JSONValue {
        // The file is hashed and flushed while it is checked; it becomes a blob (by rename, no
        // copy) only once it parsed. `file` must lie in the blob store's `tmp/` folder.
        let contents = try MappedFile.data(at: file)
        async let prepared = blobs.prepare(adopting: file, contents: contents)
        // The hash keeps one core busy meanwhile: the check takes the others, or the two would
        // share it (A/B on 2 cores, the 40 MB upload: medians 62-67 ms against 65-71 ms).
        let cores = max(1, ProcessInfo.processInfo.activeProcessorCount - 1)
        let dataset = try Self.reading(file, what: "the file") { try CTRDataset(csv: contents, cores: cores) }
        let descriptions = try mapping.map { url in
            try Self.descriptions(from: Self.reading(url, what: "the mapping") { try CSVTable.parse(Data(contentsOf: url, options: .alwaysMapped)) })
        } ?? [:]
        let stored = try await prepared
        try await blobs.commit(stored)
        let blob = stored.blob
        let fileID = UUID().uuidString.lowercased()
        let encoder = JSONEncoder()
        func json(_ value: some Encodable) throws -> JSONValue {
            try JSONDecoder().decode(JSONValue.self, from: encoder.encode(value))
        }
        let summary: JSONValue = .object([
            "file_id": .string(fileID),
            "filename": .string(filename),
            "rows": .int(dataset.info.totalRows),
            "column_count": .int(dataset.header.count),
            // The seed lists `columns` twice (a count, then the names); as JSON the names win.
            "columns": .array(dataset.header.map(JSONValue.string)),
            "validation": try json(dataset.validation),
            "info": try json(dataset.info),
            "preview": .array(dataset.preview()),
            "descriptions": .object(descriptions.mapValues(JSONValue.string)),
        ])
        try await references.add(sha256: blob.sha256, kind: Self.referenceKind, id: fileID)
        try await files.insert(CTRFileRecord(fileID: fileID, filename: filename, sha256: blob.sha256, summary: summary, createdAt: Date()))
        return summary
    }

    /// Runs a CSV reader, turning its parse errors into answers that say what is wrong.
    private static func reading<Parsed>(_ file: URL, what: String, _ read: () throws -> Parsed) throws -> Parsed {
        do {
            return try read()
        } catch CSVTable.ParseError.empty {
            throw KilnError.invalidArgument("\(what) is empty: a CSV with a header row is expected")
        } catch CSVTable.ParseError.notUTF8 {
            throw KilnError.invalidArgument("\(what) is not UTF-8 text (Korean text saved as CP949/EUC-KR? save the CSV as UTF-8)")
        } catch CSVTable.ParseError.unterminatedQuote(let row) {
            throw KilnError.invalidArgument("in \(what), a quoted field opened after line \(row + 1) is never closed")
        }
    }

    /// `feature,description` rows → a dictionary; other shapes are refused.
    static func descriptions(from table: CSVTable) throws -> [String: String] {
        guard table.header.count >= 2, table.header[0].lowercased() == "feature", table.header[1].lowercased() == "description" else {
            throw KilnError.invalidArgument("the mapping must be a CSV with the header 'feature,description'")
        }
        var descriptions: [String: String] = [:]
        for (index, row) in table.rows.enumerated() {
            guard row.count >= 2, !row[0].isEmpty else { throw KilnError.invalidArgument("mapping row \(index + 2) needs a feature and a description") }
            descriptions[row[0]] = String(row[1].prefix(200))
        }
        return descriptions
    }

    /// Starts a training job on an uploaded file; returns the tracking run's id.
    public func startTraining(fileID: String, config: CTRTrainingConfig, actor: String) async throws -> String {
        try config.validate()
        guard let file = try await files.find(id: fileID) else { throw KilnError.notFound("no uploaded file '\(fileID.prefix(64))'") }
        guard case .object(let summary) = file.summary, case .object(let validation)? = summary["validation"],
              validation["isValid"] == .bool(true) else {
            throw KilnError.invalidArgument("file '\(fileID)' did not pass validation; see its upload answer for the problems")
        }
        let experiment = try await tracking.experiment(named: Self.experimentName, creating: true)
        let run = try await tracking.createRun(
            experimentID: String(experiment.id), userID: actor, name: nil, startTime: nil,
            tags: [Self.appTag, TrackingTag(key: "kiln.file_id", value: fileID),
                   TrackingTag(key: "kiln.filename", value: file.filename)])
        let runID = run.info.runID
        var params = [
            TrackingTag(key: "model", value: config.resolvedModel), TrackingTag(key: "epochs", value: String(config.resolvedEpochs)),
            TrackingTag(key: "learning_rate", value: String(config.resolvedLearningRate)), TrackingTag(key: "file_id", value: fileID),
        ]
        if config.resolvedModel == "xgboost" {
            params.append(TrackingTag(key: "max_depth", value: String(config.resolvedMaxDepth)))
        } else {
            params += [
                TrackingTag(key: "batch_size", value: String(config.resolvedBatchSize)),
                TrackingTag(key: "lstm_hidden", value: String(config.resolvedLSTMHidden)),
                TrackingTag(key: "mlp_hidden", value: config.resolvedMLPHidden.map(String.init).joined(separator: ",")),
                TrackingTag(key: "dropout", value: String(config.resolvedDropout)),
                TrackingTag(key: "seed", value: String(config.resolvedSeed)),
            ]
        }
        if let rounds = config.earlyStoppingRounds { params.append(TrackingTag(key: "early_stopping_rounds", value: String(rounds))) }
        try await tracking.logBatch(runID: runID, params: params)
        let parameters = CTRTrainingJob.Parameters(runId: runID, fileId: fileID, config: config)
        let (job, _) = try await jobs.submit(
            kind: CTRTrainingJob.kind, parameters: try JobCoding.encode(parameters), inputBlobs: [file.sha256], owner: actor)
        try await tracking.logBatch(runID: runID, tags: [TrackingTag(key: "kiln.job_id", value: job.id)])
        return runID
    }

    /// `GET /api/train/status/{run_id}` in the seed's shape.
    public func status(runID: String) async throws -> JSONValue {
        let run = try await reader.trainingRun(runID)
        let latest = Dictionary(run.metrics.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        var status = Self.seedStatus(run.info.status)
        var object: [String: JSONValue] = [
            "run_id": .string(runID),
            "current_epoch": .int(Int(latest["val_loss"]?.step ?? 0)),
            "total_epochs": .int(Int(run.params.first { $0.key == "epochs" }?.value ?? "") ?? 0),
            "metrics": .object(Dictionary(uniqueKeysWithValues: Self.epochMetricKeys
                .compactMap { key in latest[key].map { (key, JSONValue.number($0.value)) } })),
        ]
        let tag = { (key: String) in run.tags.first { $0.key == key }?.value }
        // A job that died before it could update its run still tells the truth.
        if status == "training", let jobID = tag("kiln.job_id"), let job = try await jobs.find(id: jobID), job.state.isTerminal, job.state != .succeeded {
            status = "failed"
            object["error"] = .string(job.errorMessage ?? job.state.rawValue)
        }
        object["status"] = .string(status)
        if let name = tag("kiln.model_name"), let version = tag("kiln.model_version") {
            object["model_name"] = .string(name)
            object["model_version"] = .string(version)
        }
        return .object(object)
    }

    /// What `WS /ws/training/{run_id}` sends: first the run's current state (`state`, with every
    /// finished epoch), then live messages; a finished run ends with `training_complete` or
    /// `training_failed` at once. With `since` (the `seq` of the last message the client saw)
    /// the state is not sent again: a running training sends the kept messages after `since`,
    /// a finished one its end only if the client has not seen it.
    public func trainingMessages(runID: String, since: Int? = nil) async throws -> (first: [JSONValue], live: KeyedSubscription<JSONValue>?) {
        let live = feed.subscribe(runID: runID)  // before reading the state, so that nothing falls in between
        guard case .object(var state) = try await status(runID: runID) else { return ([], nil) }
        var byEpoch: [Int: [String: JSONValue]] = [:]
        for key in Self.epochMetricKeys {
            for point in try await reader.history(runID: runID, key: key) { byEpoch[point.epoch, default: [:]][key] = .number(point.value) }
        }
        let epochs: [JSONValue] = byEpoch.keys.sorted().map { .object(["epoch": .int($0), "metrics": .object(byEpoch[$0] ?? [:])]) }
        state["type"] = "state"
        state["epochs"] = .array(epochs)
        let terminal: JSONValue
        switch state["status"] {
        case .string("completed"):
            terminal = .object(["type": "training_complete", "run_id": .string(runID), "metrics": state["metrics"] ?? .object([:])])
        case .string("failed"):
            terminal = .object(["type": "training_failed", "run_id": .string(runID), "error": state["error"] ?? .string("training failed")])
        default:
            guard let since else { return ([.object(state)], live) }
            return (feed.messages(runID: runID, after: since), live)
        }
        let endSeq = try await reader.trainingRun(runID).tags.first { $0.key == TrainingFeed.seqTag }.flatMap { Int($0.value) }
        guard case .object(var end) = terminal else { return ([], nil) }
        if let endSeq { end["seq"] = .int(endSeq) }
        guard let since else { return ([.object(state), .object(end)], nil) }
        return (endSeq.map { since >= $0 } == true ? [] : [.object(end)], nil)
    }

    static let epochMetricKeys = ["train_loss", "val_loss", "train_accuracy", "val_accuracy", "val_auc"]

    /// The measures `feature-importance` offers, by `method`.
    public enum ImportanceMeasure: String, CaseIterable, Sendable {
        /// XGBoost runs: share of total split gain (sums to 1).
        case gain
        /// LSTM runs: rise in validation log loss when the feature is shuffled (can be ≤ 0).
        case permutation
        /// Every run: mean |SHAP| over validation rows (TreeSHAP or KernelSHAP).
        case shap
    }

    /// `GET /api/report/feature-importance/{run_id}?method=`: most important first. Without
    /// `method`, the trainer's own measure (gain for XGBoost, permutation for the LSTM).
    public func featureImportance(runID: String, method requested: String? = nil) async throws -> JSONValue {
        let results = try await reader.results(runID: runID)
        let analysis = results.analysis
        let own: ImportanceMeasure = (analysis.importanceMethod ?? FeatureAnalysis.gainMethod).hasPrefix("permutation") ? .permutation : .gain
        let available = [own] + (analysis.shapMethod == nil ? [] : [.shap])
        let measure = try requested.map { name -> ImportanceMeasure in
            guard let measure = ImportanceMeasure(rawValue: name), available.contains(measure) else {
                throw KilnError.invalidArgument("method must be one of \(available.map(\.rawValue)) for this run, got '\(name.prefix(64))'")
            }
            return measure
        } ?? own
        let entries = analysis.features.map { feature -> (Double, JSONValue) in
            let importance = measure == .shap ? feature.meanAbsShap ?? 0 : feature.importance
            let ci = measure == .shap ? feature.shapCi ?? [importance, importance] : feature.ci
            return (importance, .object([
                "feature": .string(feature.feature),
                "importance": .number(importance),
                "pValue": .number(feature.pValue),
                "welchPValue": feature.welchPValue.map(JSONValue.number) ?? .null,
                "is_significant": feature.isSignificant.map(JSONValue.bool) ?? .null,
                "ci": .array(ci.map(JSONValue.number)),
                "description": .string(results.description(feature.feature)),
                "test": .string(analysis.test),
                "significance": analysis.significance.map(JSONValue.string) ?? .null,
                "measure": .string(measure.rawValue),
                "method": .string(measure == .shap ? analysis.shapMethod ?? "" : analysis.importanceMethod ?? FeatureAnalysis.gainMethod),
            ]))
        }
        return .array(entries.sorted { $0.0 > $1.0 }.map(\.1))
    }

    /// `GET /api/report/correlation/{run_id}?k=`: Pearson's r among the `k` most important features.
    public func correlation(runID: String, k: Int) async throws -> JSONValue {
        guard (2...1000).contains(k) else { throw KilnError.invalidArgument("k must be between 2 and 1000") }
        let analysis = try await reader.results(runID: runID).analysis
        let top = analysis.features.indices.sorted { analysis.features[$0].importance > analysis.features[$1].importance }.prefix(k)
        return .object([
            "features": .array(top.map { .string(analysis.features[$0].feature) }),
            "matrix": .array(top.map { i in .array(top.map { j in .number(analysis.correlation[i][j]) }) }),
        ])
    }

    /// The latest value of each of a run's metrics, as a JSON object.
    static func latestMetrics(_ metrics: [Metric]) -> JSONValue {
        .object(Dictionary(metrics.map { ($0.key, JSONValue.number($0.value)) }, uniquingKeysWith: { first, _ in first }))
    }

    /// `POST /api/report/generate-pdf/{run_id}`: starts the PDF job; returns its id.
    public func generatePDF(runID: String, language: String, includeCharts: Bool, includeInsights: Bool, includeActionPlan: Bool,
                            actor: String) async throws -> String {
        guard ["ko", "en"].contains(language) else { throw KilnError.invalidArgument("lang must be 'ko' or 'en'") }
        _ = try await reader.results(runID: runID)  // unknown or unfinished runs are refused now, not in the job
        let parameters = CTRPDFJob.Parameters(runId: runID, language: language, includeCharts: includeCharts,
                                              includeInsights: includeInsights, includeActionPlan: includeActionPlan)
        let (job, _) = try await jobs.submit(kind: CTRPDFJob.kind, parameters: try JobCoding.encode(parameters), inputBlobs: [], owner: actor)
        try await tracking.logBatch(runID: runID, tags: [TrackingTag(key: "kiln.pdf_job_id", value: job.id)])
        return job.id
    }

    /// `GET /api/report/pdf/{run_id}`: the newest rendered PDF (a file in the blob store).
    /// `conflict` while the first one is still being made, `notFound` when none was asked for.
    public func pdf(runID: String) async throws -> URL {
        let run = try await reader.trainingRun(runID)
        if let root = try ArtifactService.path(ofURI: run.info.artifactURI),
           let (_, url) = try? await artifacts.file(path: "\(root)/\(CTRPDFJob.artifact)") {
            return url
        }
        if let jobID = run.tags.first(where: { $0.key == "kiln.pdf_job_id" })?.value, let job = try await jobs.find(id: jobID) {
            if !job.state.isTerminal { throw KilnError.conflict("the PDF of run \(runID) is being generated (job \(jobID))") }
            if job.state != .succeeded { throw KilnError.conflict("generating the PDF failed: \(job.errorMessage ?? job.state.rawValue)") }
        }
        throw KilnError.notFound("run \(runID) has no PDF; make one with POST /api/report/generate-pdf/\(runID)")
    }

    /// The seed's words for a run's state.
    static func seedStatus(_ status: RunStatus) -> String {
        switch status {
        case .finished: "completed"
        case .failed, .killed: "failed"
        case .running, .scheduled: "training"
        }
    }

    /// `GET /api/train/runs`: newest first.
    public func runs() async throws -> JSONValue {
        guard let experiment = try? await tracking.experiment(named: Self.experimentName, creating: false) else { return .array([]) }
        let page = try await tracking.searchRuns(
            experimentIDs: [String(experiment.id)], filter: "tags.`\(Self.appTag.key)` = '\(Self.appTag.value)'", view: .activeOnly, orderBy: [],
            maxResults: 1000, pageToken: nil)
        let formatter = ISO8601DateFormatter()
        return .array(page.items.map { run in
            let accuracy = run.metrics.first { $0.key == "val_accuracy" }?.value
            return .object([
                "run_id": .string(run.info.runID),
                "created_at": .string(formatter.string(from: Date(timeIntervalSince1970: Double(run.info.startTime) / 1000))),
                "status": .string(Self.seedStatus(run.info.status)),
                "accuracy": accuracy.map(JSONValue.number) ?? .null,
                "file_id": .string(run.tags.first { $0.key == "kiln.file_id" }?.value ?? ""),
                "model": .string(run.params.first { $0.key == "model" }?.value ?? ""),
            ])
        })
    }
}
