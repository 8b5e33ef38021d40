import Foundation
import KilnCore
import KilnStore
import Testing

@Suite struct SQLTrackingRepositoryTests {
    private func withRepository(_ body: (SQLTrackingRepository, KilnDatabase) async throws -> Void) async throws {
        try await withTemporaryDatabase { database, _ in
            try await Migrator().migrate(database.sql)
            try await body(SQLTrackingRepository(db: database.sql, transactions: database), database)
        }
    }

    private func makeRun(_ repository: SQLTrackingRepository, id: String, experiment: Int64 = 0, start: Int64 = 1) async throws {
        try await repository.createRun(RunInfo(
            runID: id, experimentID: experiment, name: "run-\(id)", userID: "tester", status: .running, startTime: start,
            endTime: nil, artifactURI: "mlflow-artifacts:/\(experiment)/\(id)/artifacts", lifecycleStage: .active),
            tags: [TrackingTag(key: "mlflow.runName", value: "run-\(id)")])
    }

    @Test func defaultExperimentExistsAndNamesAreUnique() async throws {
        try await withRepository { repository, _ in
            #expect(try await repository.experiment(id: 0)?.name == "Default")
            let created = try await repository.createExperiment(name: "ctr", artifactLocation: nil, tags: [TrackingTag(key: "team", value: "ads")], now: 5)
            #expect(created.id > 0 && created.artifactLocation == "mlflow-artifacts:/\(created.id)" && created.tags.count == 1)
            await #expect(throws: KilnError.self) {
                _ = try await repository.createExperiment(name: "ctr", artifactLocation: nil, tags: [], now: 6)
            }
        }
    }

    @Test func latestMetricFollowsStepThenTimeAndKeepsNaNAndInfinity() async throws {
        try await withRepository { repository, _ in
            try await makeRun(repository, id: "r1")
            try await repository.logBatch(runID: "r1", metrics: [
                Metric(key: "loss", value: 0.5, timestamp: 10, step: 2),
                Metric(key: "loss", value: 0.9, timestamp: 20, step: 1),  // later in time, earlier step
                Metric(key: "odd", value: .nan, timestamp: 1, step: 0),
                Metric(key: "big", value: .infinity, timestamp: 1, step: 0),
            ], params: [], tags: [])
            try await repository.logBatch(runID: "r1", metrics: [Metric(key: "loss", value: 0.7, timestamp: 5, step: 1)], params: [], tags: [])
            let run = try #require(try await repository.run(id: "r1"))
            let latest = Dictionary(uniqueKeysWithValues: run.metrics.map { ($0.key, $0.value) })
            #expect(latest["loss"] == 0.5)
            #expect(latest["odd"]?.isNaN == true)
            #expect(latest["big"] == .infinity)
            let history = try await repository.metricHistory(runID: "r1", key: "loss", limit: 10, offset: 0)
            #expect(history.map(\.step) == [1, 1, 2])
        }
    }

    @Test func aChangedParamRejectsTheWholeBatch() async throws {
        try await withRepository { repository, _ in
            try await makeRun(repository, id: "r1")
            try await repository.logBatch(runID: "r1", metrics: [], params: [TrackingTag(key: "lr", value: "0.1")], tags: [])
            // Same value again is fine (idempotent), a different one is not, and nothing else lands.
            try await repository.logBatch(runID: "r1", metrics: [], params: [TrackingTag(key: "lr", value: "0.1")], tags: [])
            await #expect(throws: KilnError.self) {
                try await repository.logBatch(
                    runID: "r1", metrics: [Metric(key: "m", value: 1, timestamp: 1, step: 0)],
                    params: [TrackingTag(key: "new", value: "1"), TrackingTag(key: "lr", value: "0.2")],
                    tags: [TrackingTag(key: "t", value: "x")])
            }
            let run = try #require(try await repository.run(id: "r1"))
            #expect(run.params == [TrackingTag(key: "lr", value: "0.1")])
            #expect(run.metrics.isEmpty)
            #expect(!run.tags.contains { $0.key == "t" })
        }
    }

    @Test func searchFiltersOrdersAndPages() async throws {
        try await withRepository { repository, _ in
            for index in 0..<6 {
                try await makeRun(repository, id: "r\(index)", start: Int64(index))
                try await repository.logBatch(
                    runID: "r\(index)", metrics: [Metric(key: "auc", value: Double(index) / 10, timestamp: 1, step: 0)],
                    params: [TrackingTag(key: "model", value: index % 2 == 0 ? "lstm" : "xgboost")],
                    tags: [TrackingTag(key: "team", value: index < 3 ? "Ads" : "search")])
            }
            try await makeRun(repository, id: "bare", start: 100)  // no metrics at all
            func ids(_ filter: String, order: [String] = [], limit: Int = 100, offset: Int = 0) async throws -> [String] {
                try await repository.searchRuns(
                    experimentIDs: [0], filter: SearchFilter(parsing: filter), view: .activeOnly,
                    orderBy: order.map(SearchOrder.init(parsing:)), limit: limit, offset: offset).map(\.info.runID)
            }
            #expect(try await ids("metrics.auc >= 0.3") == ["r5", "r4", "r3"])
            #expect(try await ids("metrics.auc > 0.1 AND params.model = 'lstm'") == ["r4", "r2"])
            #expect(try await ids("params.model != 'lstm'") == ["r5", "r3", "r1"])
            #expect(try await ids("tags.team LIKE 'A%'") == ["r2", "r1", "r0"])
            #expect(try await ids("tags.team LIKE 'a%'") == [])  // LIKE is case-sensitive
            #expect(try await ids("tags.team ILIKE 'a%'") == ["r2", "r1", "r0"])
            #expect(try await ids("attributes.run_id IN ('r1', 'bare')") == ["bare", "r1"])
            #expect(try await ids("", order: ["metrics.auc ASC"]) == ["r0", "r1", "r2", "r3", "r4", "r5", "bare"])
            #expect(try await ids("", order: ["metrics.auc DESC"], limit: 2, offset: 1) == ["r4", "r3"])
            await #expect(throws: KilnError.self) { _ = try await ids("metrics.auc = 'x'") }
            await #expect(throws: KilnError.self) { _ = try await ids("attributes.color = 'red'") }
            try await repository.setRunLifecycle(id: "r5", .deleted, now: 1)
            #expect(try await ids("metrics.auc >= 0.3") == ["r4", "r3"])
        }
    }
}

@Suite struct SearchFilterTests {
    @Test func parsesMLflowFilters() throws {
        let filter = try SearchFilter(parsing: #"metrics.rmse < 0.5 and params."learning rate" = '0.1' AND tags.`mlflow.runName` LIKE 'x%' AND status != "FAILED""#)
        #expect(filter.clauses == [
            .init(entity: .metric, key: "rmse", comparator: .less, value: .number(0.5)),
            .init(entity: .param, key: "learning rate", comparator: .equal, value: .string("0.1")),
            .init(entity: .tag, key: "mlflow.runName", comparator: .like, value: .string("x%")),
            .init(entity: .attribute, key: "status", comparator: .notEqual, value: .string("FAILED")),
        ])
        #expect(try SearchFilter(parsing: "metric.loss >= -1.5e-3").clauses.first?.value == .number(-0.0015))
        #expect(try SearchFilter(parsing: "run_id IN ('a', 'b')").clauses.first?.value == .list(["a", "b"]))
        #expect(try SearchFilter(parsing: "name = 'it''s'").clauses.first?.value == .string("it's"))
        #expect(try SearchFilter(parsing: "  ").clauses.isEmpty)
    }

    @Test func refusesWhatItCannotParse() {
        for text in ["metrics.rmse", "metrics.rmse <", "a = 'b' OR c = 'd'", "tags.x = 'open", "metrics.a ~ 1", "metrics. = 1", "x IN (1, 2)"] {
            #expect(throws: KilnError.self, "\(text)") { _ = try SearchFilter(parsing: text) }
        }
    }

    @Test func parsesOrderBy() throws {
        #expect(try SearchOrder(parsing: "metrics.auc DESC") == SearchOrder(entity: .metric, key: "auc", ascending: false))
        #expect(try SearchOrder(parsing: "start_time") == SearchOrder(entity: .attribute, key: "start_time", ascending: true))
        #expect(throws: KilnError.self) { _ = try SearchOrder(parsing: "metrics.auc sideways") }
    }
}
