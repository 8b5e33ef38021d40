import Foundation
import KilnCore
import SQLKit

/// Experiments, runs, params, metrics and tags in the SQL store.
public struct SQLTrackingRepository: TrackingRepository {
    private let db: any SQLDatabase
    private let transactions: any SQLTransactionRunner

    public init(db: any SQLDatabase, transactions: any SQLTransactionRunner) {
        self.db = db
        self.transactions = transactions
    }

    // MARK: Experiments

    private struct ExperimentRow: Decodable {
        var experiment_id: Int64
        var name: String
        var artifact_location: String
        var lifecycle_stage: String
        var creation_time: Int64
        var last_update_time: Int64
    }

    private func experiments(from rows: [ExperimentRow]) async throws -> [Experiment] {
        guard !rows.isEmpty else { return [] }
        let ids: [any Encodable & Sendable] = rows.map(\.experiment_id)
        let tags = try await db.raw("SELECT experiment_id, key, value FROM experiment_tags WHERE experiment_id IN (\(binds: ids)) ORDER BY key")
            .all(decoding: ExperimentTagRow.self)
        let byExperiment = Dictionary(grouping: tags, by: \.experiment_id)
        return rows.map { row in
            Experiment(id: row.experiment_id, name: row.name, artifactLocation: row.artifact_location,
                       lifecycleStage: LifecycleStage(rawValue: row.lifecycle_stage) ?? .active,
                       creationTime: row.creation_time, lastUpdateTime: row.last_update_time,
                       tags: (byExperiment[row.experiment_id] ?? []).map { TrackingTag(key: $0.key, value: $0.value) })
        }
    }

    private struct IDRow: Decodable {
        var experiment_id: Int64
    }

    private struct ExperimentTagRow: Decodable {
        var experiment_id: Int64
        var key: String
        var value: String
    }

    public func createExperiment(name: String, artifactLocation: String?, tags: [TrackingTag], now: Int64) async throws -> Experiment {
        let id = try await transactions.transaction(prepare: { db in
            let taken = try await db.select().column("experiment_id").from("experiments").where("name", .equal, name).first()
            guard taken == nil else { throw KilnError.conflict("experiment '\(name.prefix(500))' already exists") }
        }, write: { db, _ -> Int64 in
            let row = try await db.raw("""
                INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time)
                VALUES (\(bind: name), \(bind: artifactLocation ?? ""), 'active', \(bind: now), \(bind: now))
                RETURNING experiment_id
                """).first(decoding: IDRow.self)
            guard let id = row?.experiment_id else { throw KilnError(.internal, "experiment insert returned no id") }
            if artifactLocation == nil {
                try await db.update("experiments").set("artifact_location", to: "mlflow-artifacts:/\(id)")
                    .where("experiment_id", .equal, id).run()
            }
            for tag in tags { try await Self.upsertExperimentTag(db, id: id, tag) }
            return id
        })
        guard let experiment = try await experiment(id: id) else { throw KilnError(.internal, "experiment vanished") }
        return experiment
    }

    public func experiment(id: Int64) async throws -> Experiment? {
        let rows = try await db.select().column("*").from("experiments").where("experiment_id", .equal, id).all(decoding: ExperimentRow.self)
        return try await experiments(from: rows).first
    }

    public func experiment(named name: String) async throws -> Experiment? {
        let rows = try await db.select().column("*").from("experiments").where("name", .equal, name).all(decoding: ExperimentRow.self)
        return try await experiments(from: rows).first
    }

    public func searchExperiments(view: ViewType, filter: SearchFilter, orderBy: [SearchOrder], limit: Int, offset: Int) async throws -> [Experiment] {
        var query: SQLQueryString = "SELECT e.* FROM experiments e"
        var conditions: [SQLQueryString] = ["e.lifecycle_stage IN (\(binds: view.stages.map(\.rawValue)))"]
        for (index, clause) in filter.clauses.enumerated() {
            switch clause.entity {
            case .tag:
                let alias = "t\(index)"
                query += " JOIN experiment_tags \(unsafeRaw: alias) ON \(unsafeRaw: alias).experiment_id = e.experiment_id AND \(unsafeRaw: alias).key = \(bind: clause.key)"
                conditions.append(try SQLSearch.comparison("\(unsafeRaw: alias).value", clause, numeric: false))
            case .attribute:
                let (column, numeric) = try Self.experimentAttribute(clause.key)
                conditions.append(try SQLSearch.comparison("e.\(unsafeRaw: column)", clause, numeric: numeric))
            case .metric, .param:
                throw KilnError.invalidArgument("experiments are searched by attributes (name, creation_time, last_update_time) and tags")
            }
        }
        query += " WHERE " + conditions.joined(separator: " AND ")
        var terms: [SQLQueryString] = []
        for order in orderBy {
            guard order.entity == .attribute else { throw KilnError.invalidArgument("experiments are ordered by attributes only") }
            terms.append(SQLSearch.orderTerm("e.\(unsafeRaw: try Self.experimentAttribute(order.key).column)", ascending: order.ascending))
        }
        terms.append("e.creation_time DESC, e.experiment_id ASC")
        query += " ORDER BY " + terms.joined(separator: ", ") + " LIMIT \(bind: limit) OFFSET \(bind: offset)"
        return try await experiments(from: db.raw(query).all(decoding: ExperimentRow.self))
    }

    private static func experimentAttribute(_ key: String) throws -> (column: String, numeric: Bool) {
        switch key {
        case "name": ("name", false)
        case "experiment_id": ("experiment_id", true)
        case "creation_time": ("creation_time", true)
        case "last_update_time": ("last_update_time", true)
        default: throw KilnError.invalidArgument("unknown experiment attribute '\(key.prefix(100))'")
        }
    }

    public func renameExperiment(id: Int64, to name: String, now: Int64) async throws {
        try await transactions.transaction(prepare: { db in
            let taken = try await db.select().column("experiment_id").from("experiments")
                .where("name", .equal, name).where("experiment_id", .notEqual, id).first()
            guard taken == nil else { throw KilnError.conflict("experiment '\(name.prefix(500))' already exists") }
        }, write: { db, _ in
            try await db.update("experiments").set("name", to: name).set("last_update_time", to: now).where("experiment_id", .equal, id).run()
        })
    }

    public func setExperimentLifecycle(id: Int64, _ stage: LifecycleStage, now: Int64) async throws {
        try await transactions.transaction { db in
            try await db.update("experiments").set("lifecycle_stage", to: stage.rawValue).set("last_update_time", to: now)
                .where("experiment_id", .equal, id).run()
            try await db.update("runs").set("lifecycle_stage", to: stage.rawValue)
                .set("deleted_time", to: Self.deletedTime(stage, now))
                .where("experiment_id", .equal, id).run()
        }
    }

    public func setExperimentTag(id: Int64, _ tag: TrackingTag) async throws {
        try await Self.upsertExperimentTag(db, id: id, tag)
    }

    private static func upsertExperimentTag(_ db: any SQLDatabase, id: Int64, _ tag: TrackingTag) async throws {
        try await db.insert(into: "experiment_tags").columns("experiment_id", "key", "value")
            .values(SQLBind(id), SQLBind(tag.key), SQLBind(tag.value))
            .onConflict(with: ["experiment_id", "key"]) { $0.set(excludedValueOf: "value") }
            .run()
    }

    // MARK: Runs

    private struct RunRow {
        var run_uuid: String
        var experiment_id: Int64
        var name: String
        var user_id: String
        var status: String
        var start_time: Int64
        var end_time: Int64?
        var artifact_uri: String
        var lifecycle_stage: String
        var inputs: String
        var outputs: String

        var info: RunInfo {
            RunInfo(runID: run_uuid, experimentID: experiment_id, name: name, userID: user_id,
                    status: RunStatus(rawValue: status) ?? .running, startTime: start_time, endTime: end_time,
                    artifactURI: artifact_uri, lifecycleStage: LifecycleStage(rawValue: lifecycle_stage) ?? .active)
        }
    }

    private struct KeyValueRow {
        var run_uuid: String
        var key: String
        var value: String
    }

    // Runs, params, tags and metrics are read column by column: search pages hold thousands of
    // these rows, and that is several times cheaper than SQLKit's Codable row decoder.
    private static func keyValueRows(_ query: SQLRawBuilder) async throws -> [KeyValueRow] {
        try await query.all().map { row in
            KeyValueRow(run_uuid: try row.decode(column: "run_uuid", as: String.self),
                        key: try row.decode(column: "key", as: String.self), value: try row.decode(column: "value", as: String.self))
        }
    }

    private static func metricRows(_ query: SQLRawBuilder) async throws -> [MetricRow] {
        try await query.all().map { row in
            MetricRow(run_uuid: try row.decode(column: "run_uuid", as: String.self), key: try row.decode(column: "key", as: String.self),
                      value: try row.decode(column: "value", as: Double?.self), timestamp: try row.decode(column: "timestamp", as: Int64.self),
                      step: try row.decode(column: "step", as: Int64.self))
        }
    }

    private static func runRows(_ query: SQLRawBuilder) async throws -> [RunRow] {
        try await query.all().map { row in
            RunRow(run_uuid: try row.decode(column: "run_uuid", as: String.self),
                   experiment_id: try row.decode(column: "experiment_id", as: Int64.self),
                   name: try row.decode(column: "name", as: String.self), user_id: try row.decode(column: "user_id", as: String.self),
                   status: try row.decode(column: "status", as: String.self), start_time: try row.decode(column: "start_time", as: Int64.self),
                   end_time: try row.decode(column: "end_time", as: Int64?.self),
                   artifact_uri: try row.decode(column: "artifact_uri", as: String.self),
                   lifecycle_stage: try row.decode(column: "lifecycle_stage", as: String.self),
                   inputs: try row.decode(column: "inputs", as: String.self), outputs: try row.decode(column: "outputs", as: String.self))
        }
    }

    private struct MetricRow {
        var run_uuid: String
        var key: String
        var value: Double?
        var timestamp: Int64
        var step: Int64

        var metric: Metric { Metric(key: key, value: value ?? .nan, timestamp: timestamp, step: step) }
    }

    private static let runColumns: SQLQueryString =
        "r.run_uuid, r.experiment_id, r.name, r.user_id, r.status, r.start_time, r.end_time, r.artifact_uri, r.lifecycle_stage, r.inputs, r.outputs"

    public func createRun(_ info: RunInfo, tags: [TrackingTag]) async throws {
        try await transactions.transaction { db in
            try await db.insert(into: "runs")
                .columns("run_uuid", "experiment_id", "name", "user_id", "status", "start_time", "end_time", "artifact_uri",
                         "lifecycle_stage", "deleted_time", "inputs", "outputs")
                .values(SQLBind(info.runID), SQLBind(info.experimentID), SQLBind(info.name), SQLBind(info.userID),
                        SQLBind(info.status.rawValue), SQLBind(info.startTime), SQLBind(info.endTime), SQLBind(info.artifactURI),
                        SQLBind(info.lifecycleStage.rawValue), SQLBind(Int64?.none), SQLBind("[]"), SQLBind("[]"))
                .run()
            try await Self.upsertTags(db, runID: info.runID, tags)
        }
    }

    public func runInfo(id: String) async throws -> RunInfo? {
        try await Self.runRows(db.raw("SELECT \(Self.runColumns) FROM runs r WHERE r.run_uuid = \(bind: id)")).first?.info
    }

    public func run(id: String) async throws -> Run? {
        let rows = try await Self.runRows(db.raw("SELECT \(Self.runColumns) FROM runs r WHERE r.run_uuid = \(bind: id)"))
        return try await runs(from: rows).first
    }

    /// Attaches latest metrics, params and tags to run rows, three queries for the whole page
    /// (ordered as the primary keys are, so SQLite does not sort).
    private func runs(from rows: [RunRow]) async throws -> [Run] {
        guard !rows.isEmpty else { return [] }
        let ids: [any Encodable & Sendable] = rows.map(\.run_uuid)
        let metrics = Dictionary(grouping: try await Self.metricRows(db.raw("""
            SELECT run_uuid, key, value, timestamp, step FROM latest_metrics WHERE run_uuid IN (\(binds: ids)) ORDER BY run_uuid, key
            """)), by: \.run_uuid)
        let params = Dictionary(grouping: try await Self.keyValueRows(db.raw(
            "SELECT run_uuid, key, value FROM params WHERE run_uuid IN (\(binds: ids)) ORDER BY run_uuid, key")), by: \.run_uuid)
        let tags = Dictionary(grouping: try await Self.keyValueRows(db.raw(
            "SELECT run_uuid, key, value FROM tags WHERE run_uuid IN (\(binds: ids)) ORDER BY run_uuid, key")), by: \.run_uuid)
        return rows.map { row in
            Run(info: row.info,
                metrics: (metrics[row.run_uuid] ?? []).map(\.metric),
                params: (params[row.run_uuid] ?? []).map { TrackingTag(key: $0.key, value: $0.value) },
                tags: (tags[row.run_uuid] ?? []).map { TrackingTag(key: $0.key, value: $0.value) },
                inputs: Self.decodeList(row.inputs), outputs: Self.decodeList(row.outputs))
        }
    }

    public func updateRun(id: String, status: RunStatus?, endTime: Int64?, name: String?) async throws {
        try await transactions.transaction { db in
            var update = db.update("runs")
            if let status { update = update.set("status", to: status.rawValue) }
            if let endTime { update = update.set("end_time", to: endTime) }
            if let name { update = update.set("name", to: name) }
            guard status != nil || endTime != nil || name != nil else { return }
            try await update.where("run_uuid", .equal, id).run()
            // The run name is also the tag MLflow's UI reads it from.
            if let name { try await Self.upsertTags(db, runID: id, [TrackingTag(key: "mlflow.runName", value: name)]) }
        }
    }

    public func setRunLifecycle(id: String, _ stage: LifecycleStage, now: Int64) async throws {
        try await db.update("runs").set("lifecycle_stage", to: stage.rawValue)
            .set("deleted_time", to: Self.deletedTime(stage, now))
            .where("run_uuid", .equal, id).run()
    }

    private static func deletedTime(_ stage: LifecycleStage, _ now: Int64) -> any SQLExpression {
        stage == .deleted ? SQLBind(now) : SQLLiteral.null
    }

    private struct PreparedBatch: Sendable {
        var newParams: [(key: String, value: String)]
        var latest: [Metric]
    }

    public func logBatch(runID: String, metrics: [Metric], params: [TrackingTag], tags: [TrackingTag]) async throws {
        try await transactions.transaction(prepare: { db in
            try await PreparedBatch(newParams: Self.newParams(db, runID: runID, params), latest: Self.newLatest(db, runID: runID, metrics))
        }, write: { db, prepared in
            if !prepared.newParams.isEmpty {
                var insert = db.insert(into: "params").columns("run_uuid", "key", "value")
                for (key, value) in prepared.newParams { insert = insert.values(SQLBind(runID), SQLBind(key), SQLBind(value)) }
                try await insert.run()
            }
            if !metrics.isEmpty {
                var insert = db.insert(into: "metrics").columns("run_uuid", "key", "value", "timestamp", "step")
                for metric in metrics {
                    insert = insert.values(SQLBind(runID), SQLBind(metric.key), SQLBind(Self.storable(metric.value)),
                                           SQLBind(metric.timestamp), SQLBind(metric.step))
                }
                try await insert.run()
            }
            if !prepared.latest.isEmpty {
                var upsert = db.insert(into: "latest_metrics").columns("run_uuid", "key", "value", "timestamp", "step")
                for metric in prepared.latest {
                    upsert = upsert.values(SQLBind(runID), SQLBind(metric.key), SQLBind(Self.storable(metric.value)),
                                           SQLBind(metric.timestamp), SQLBind(metric.step))
                }
                try await upsert.onConflict(with: ["run_uuid", "key"]) {
                    $0.set(excludedValueOf: "value").set(excludedValueOf: "timestamp").set(excludedValueOf: "step")
                }.run()
            }
            try await Self.upsertTags(db, runID: runID, tags)
        })
    }

    /// The params not yet stored. A param already stored (or given twice) with another value
    /// refuses the batch: MLflow params are write-once.
    private static func newParams(_ db: any SQLDatabase, runID: String, _ params: [TrackingTag]) async throws -> [(key: String, value: String)] {
        guard !params.isEmpty else { return [] }
        let keys: [any Encodable & Sendable] = params.map(\.key)
        let existing = try await keyValueRows(db.raw("SELECT run_uuid, key, value FROM params WHERE run_uuid = \(bind: runID) AND key IN (\(binds: keys))"))
        let stored = Dictionary(existing.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
        var batch: [String: String] = [:]
        for param in params {
            if let previous = stored[param.key] ?? batch[param.key], previous != param.value {
                throw KilnError.invalidArgument(
                    "changing param values is not allowed: param '\(param.key)' was already logged with value '\(previous.prefix(100))' for run \(runID), new value '\(param.value.prefix(100))'")
            }
            batch[param.key] = param.value
        }
        return batch.filter { stored[$0.key] == nil }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// Per key, the batch's latest metric when it is later than the stored latest value.
    private static func newLatest(_ db: any SQLDatabase, runID: String, _ metrics: [Metric]) async throws -> [Metric] {
        guard !metrics.isEmpty else { return [] }
        var latest: [String: Metric] = [:]
        for metric in metrics where latest[metric.key].map({ metric.isLater(than: $0) }) ?? true {
            latest[metric.key] = metric
        }
        let keys: [any Encodable & Sendable] = Array(latest.keys)
        let stored = try await metricRows(db.raw(
            "SELECT run_uuid, key, value, timestamp, step FROM latest_metrics WHERE run_uuid = \(bind: runID) AND key IN (\(binds: keys))"))
        for row in stored where !(latest[row.key].map { $0.isLater(than: row.metric) } ?? false) {
            latest.removeValue(forKey: row.key)
        }
        return latest.values.sorted { $0.key < $1.key }
    }

    /// SQLite turns a NaN REAL into NULL; store NULL explicitly and read it back as NaN.
    private static func storable(_ value: Double) -> Double? {
        value.isNaN ? nil : value
    }

    private static func upsertTags(_ db: any SQLDatabase, runID: String, _ tags: [TrackingTag]) async throws {
        guard !tags.isEmpty else { return }
        // Within one batch the last value of a key wins.
        var values: [String: String] = [:]
        for tag in tags { values[tag.key] = tag.value }
        var insert = db.insert(into: "tags").columns("run_uuid", "key", "value")
        for (key, value) in values.sorted(by: { $0.key < $1.key }) {
            insert = insert.values(SQLBind(runID), SQLBind(key), SQLBind(value))
        }
        try await insert.onConflict(with: ["run_uuid", "key"]) { $0.set(excludedValueOf: "value") }.run()
    }

    public func deleteTag(runID: String, key: String) async throws -> Bool {
        let existing = try await db.select().column("key").from("tags").where("run_uuid", .equal, runID).where("key", .equal, key).first()
        guard existing != nil else { return false }
        try await db.delete(from: "tags").where("run_uuid", .equal, runID).where("key", .equal, key).run()
        return true
    }

    public func metricHistory(runID: String, key: String, limit: Int, offset: Int) async throws -> [Metric] {
        try await Self.metricRows(db.raw("""
            SELECT run_uuid, key, value, timestamp, step FROM metrics WHERE run_uuid = \(bind: runID) AND key = \(bind: key)
            ORDER BY step, timestamp LIMIT \(bind: limit) OFFSET \(bind: offset)
            """)).map(\.metric)
    }

    public func searchRuns(experimentIDs: [Int64], filter: SearchFilter, view: ViewType, orderBy: [SearchOrder], limit: Int, offset: Int) async throws -> [Run] {
        guard !experimentIDs.isEmpty else { return [] }
        var query: SQLQueryString = "SELECT \(Self.runColumns) FROM runs r"
        var conditions: [SQLQueryString] = [
            "r.experiment_id IN (\(binds: experimentIDs))",
            "r.lifecycle_stage IN (\(binds: view.stages.map(\.rawValue)))",
        ]
        // Each metric, param or tag clause joins its own row: a run without the key never matches.
        for (index, clause) in filter.clauses.enumerated() {
            let alias = "f\(index)"
            switch clause.entity {
            case .metric, .param, .tag:
                let table = clause.entity == .metric ? "latest_metrics" : clause.entity == .param ? "params" : "tags"
                query += " JOIN \(unsafeRaw: table) \(unsafeRaw: alias) ON \(unsafeRaw: alias).run_uuid = r.run_uuid AND \(unsafeRaw: alias).key = \(bind: clause.key)"
                conditions.append(try SQLSearch.comparison("\(unsafeRaw: alias).value", clause, numeric: clause.entity == .metric))
            case .attribute:
                let (column, numeric) = try Self.runAttribute(clause.key)
                conditions.append(try SQLSearch.comparison("r.\(unsafeRaw: column)", clause, numeric: numeric))
            }
        }
        var terms: [SQLQueryString] = []
        for (index, order) in orderBy.enumerated() {
            let alias = "o\(index)"
            switch order.entity {
            case .metric, .param, .tag:
                let table = order.entity == .metric ? "latest_metrics" : order.entity == .param ? "params" : "tags"
                query += " LEFT JOIN \(unsafeRaw: table) \(unsafeRaw: alias) ON \(unsafeRaw: alias).run_uuid = r.run_uuid AND \(unsafeRaw: alias).key = \(bind: order.key)"
                terms.append(SQLSearch.orderTerm("\(unsafeRaw: alias).value", ascending: order.ascending))
            case .attribute:
                terms.append(SQLSearch.orderTerm("r.\(unsafeRaw: try Self.runAttribute(order.key).column)", ascending: order.ascending))
            }
        }
        terms.append("r.start_time DESC, r.run_uuid ASC")
        query += " WHERE " + conditions.joined(separator: " AND ")
        query += " ORDER BY " + terms.joined(separator: ", ") + " LIMIT \(bind: limit) OFFSET \(bind: offset)"
        return try await runs(from: Self.runRows(db.raw(query)))
    }

    private static func runAttribute(_ key: String) throws -> (column: String, numeric: Bool) {
        switch key {
        case "run_id", "run_uuid": ("run_uuid", false)
        case "run_name", "name": ("name", false)
        case "status": ("status", false)
        case "user_id": ("user_id", false)
        case "artifact_uri": ("artifact_uri", false)
        case "lifecycle_stage": ("lifecycle_stage", false)
        case "start_time": ("start_time", true)
        case "end_time": ("end_time", true)
        case "experiment_id": ("experiment_id", true)
        default: throw KilnError.invalidArgument(
            "unknown run attribute '\(key.prefix(100))'; known: run_id, run_name, status, user_id, artifact_uri, start_time, end_time")
        }
    }

    public func appendRunInputs(runID: String, _ inputs: [JSONValue]) async throws {
        try await append(column: "inputs", runID: runID, inputs)
    }

    public func appendRunOutputs(runID: String, _ outputs: [JSONValue]) async throws {
        try await append(column: "outputs", runID: runID, outputs)
    }

    private func append(column: String, runID: String, _ items: [JSONValue]) async throws {
        guard !items.isEmpty else { return }
        try await transactions.transaction(prepare: { db -> String in
            let row = try await db.select().column(SQLIdentifier(column)).from("runs").where("run_uuid", .equal, runID).first()
            let current = try row.map { try $0.decode(column: column, as: String.self) } ?? "[]"
            return String(decoding: try JSONEncoder().encode(Self.decodeList(current) + items), as: UTF8.self)
        }, write: { db, text in
            try await db.update("runs").set(SQLIdentifier(column), to: SQLBind(text)).where("run_uuid", .equal, runID).run()
        })
    }

    private static func decodeList(_ text: String) -> [JSONValue] {
        guard text != "[]" else { return [] }
        return (try? JSONDecoder().decode([JSONValue].self, from: Data(text.utf8))) ?? []
    }
}
