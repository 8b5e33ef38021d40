import Foundation
import KilnCore
import Logging
import ServiceLifecycle
import Synchronization

/// Loads and unloads models from the repository and owns their schedulers.
///
/// A `Service`: its `run` hosts every scheduler's executors in one task group, so that
/// graceful shutdown closes the queues, lets queued requests finish and then returns.
public final class ModelManager: Service, Sendable {
    public struct Settings: Sendable {
        public var maxQueueSize = 1024
        /// Loading beyond this unloads idle models, least recently used first; nil: no limit.
        public var memoryBudget: Int?
        /// Load a model on its first request instead of at start.
        public var lazyLoad = false
        public init() {}
    }

    private struct Model: Sendable {
        var versions: [Int: LoadedVersion] = [:]
        var failure: String?
    }

    private let repository: ModelRepository
    private let factory: RuntimeFactory
    private let settings: Settings
    private let logger: Logger
    private let models = Mutex<[String: Model]>([:])
    private let executorRequests: AsyncStream<ModelScheduler>
    private let executorRequestsContinuation: AsyncStream<ModelScheduler>.Continuation
    /// model → versions an alias points at: loaded whatever the version policy says, so that a
    /// new version (an upload, a retraining candidate) never unloads the one `production` serves.
    private let pinned = Mutex<[String: Set<Int>]>([:])
    /// Serialises load and unload so that two loads of one model never race.
    private let lifecycle = AsyncSerialGate()

    private let metrics: ServingMetrics

    public init(
        repository: ModelRepository, factory: RuntimeFactory, settings: Settings = .init(),
        metrics: ServingMetrics = .init(factory: nil), logger: Logger
    ) {
        self.metrics = metrics
        self.repository = repository
        self.factory = factory
        self.settings = settings
        self.logger = logger
        (executorRequests, executorRequestsContinuation) = AsyncStream.makeStream()
    }

    public func run() async throws {
        await withDiscardingTaskGroup { group in
            await withGracefulShutdownHandler {
                for await scheduler in executorRequests {
                    for _ in 0..<scheduler.instances {
                        group.addTask { await scheduler.runExecutor() }
                    }
                }
            } onGracefulShutdown: {
                self.executorRequestsContinuation.finish()
            }
            // Closed here, after the stream, because it also ends when this task is cancelled
            // (the drain outlasted shutdown_timeout) with no shutdown handler left to run: the
            // executors would wait for work for ever and the process never exit.
            self.executorRequestsContinuation.finish()
            for version in self.allLoaded() { version.scheduler.close() }
        }
        for version in allLoaded() { await version.scheduler.shutdownIfNeverStarted() }
    }

    private func allLoaded() -> [LoadedVersion] {
        models.withLock { $0.values.flatMap { $0.versions.values } }
    }

    /// Loads (or reloads) every version the model's policy selects. A failure is remembered and
    /// shown in the index; it never affects other models.
    public func load(_ name: String) async throws {
        try await lifecycle.run { try await loadLocked(name) }
    }

    private func loadLocked(_ name: String) async throws {
        do {
            let entry = repository.entry(named: name, keeping: pinned.withLock { $0[name] ?? [] })
            if let problem = entry.problem {
                guard FileManager.default.fileExists(atPath: repository.root.appendingPathComponent(name).path) else {
                    throw KilnError.notFound("no model '\(name)' in the repository")
                }
                models.withLock { $0[name, default: Model()].failure = problem }
                throw KilnError.invalidArgument("model '\(name)' cannot be loaded: \(problem)")
            }
            var loaded: [Int: LoadedVersion] = [:]
            do {
                let estimate = entry.versions.reduce(0) { $0 + Self.fileSize($1.artifact) }
                try await makeRoom(for: estimate, replacing: name)
                for version in entry.versions {
                    // Checked before anything is started for the version, so a bad sample leaks nothing.
                    let reference = try version.readReference()
                    // The libtorch plugin's own footprint is not the model's: load it first.
                    if version.config.platform == .pytorchLibtorch { _ = try factory.torchRuntime() }
                    let before = ProcessStats.residentMemoryBytes() ?? 0
                    let runtime = try factory.makeRuntime(for: version)
                    let measured = (ProcessStats.residentMemoryBytes() ?? 0) - before
                    let config = version.config
                    let planner = BatchPlanner(
                        maxBatchSize: config.dynamicBatching == nil ? 0 : config.batchLimit,
                        maxQueueDelay: .microseconds(config.dynamicBatching?.maxQueueDelayUs ?? 0),
                        preferredBatchSizes: config.dynamicBatching?.preferredBatchSizes ?? [])
                    let scheduler = ModelScheduler(
                        runtime: runtime, planner: planner, instances: config.instances, maxQueueSize: settings.maxQueueSize,
                        model: (name, version.number), metrics: metrics)
                    // Warm-up runs on the model's own compute threads: an OpenMP team started from
                    // any other long-lived thread would stay and slow libtorch (see RuntimeFactory).
                    for sample in try version.config.warmupTensors() {
                        do {
                            try await scheduler.runUnbatched(sample)
                        } catch let error as KilnError {
                            await scheduler.shutdownIfNeverStarted()
                            throw KilnError.invalidArgument("warmup failed: \(error.message)")
                        }
                    }
                    let artifactBytes = Self.fileSize(version.artifact)
                    loaded[version.number] = LoadedVersion(
                        name: name, version: version.number, config: config, scheduler: scheduler,
                        artifactBytes: artifactBytes, memoryBytes: max(artifactBytes, measured), reference: reference)
                }
            } catch {
                for version in loaded.values { await version.scheduler.shutdownIfNeverStarted() }
                let message = (error as? KilnError)?.message ?? "\(error)"
                logger.warning("model failed to load", metadata: ["model": "\(name)", "reason": "\(message)"])
                // Running out of budget is temporary (503, and a later lazy load tries again);
                // anything else is the model's fault (400) and is shown in the index.
                if let error = error as? KilnError, error.code == .unavailable { throw error }
                models.withLock { $0[name, default: Model()].failure = message }
                throw KilnError.invalidArgument("model '\(name)' cannot be loaded: \(message)")
            }
            for version in loaded.values { executorRequestsContinuation.yield(version.scheduler) }
            let previous = models.withLock { models -> Model? in
                defer { models[name] = Model(versions: loaded, failure: nil) }
                return models[name]
            }
            await retire(previous)
            for version in loaded.values {
                version.scheduler.metrics.loadedChanged(loaded: true, artifactBytes: version.artifactBytes)
            }
            logger.info("model loaded", metadata: ["model": "\(name)", "versions": "\(loaded.keys.sorted())"])
        }
    }

    /// Adds a version from a staged folder holding the artifact and, optionally, `config.json`
    /// (a version override) — or, for a new model, `model-config.json` (the model's config).
    /// The version is loaded from the staging folder first; only if that works is it moved into
    /// place as the next version number (or `number`, when given and free) and served.
    /// Returns the new version number.
    public func installVersion(_ name: String, staged: URL, number requested: Int? = nil) async throws -> Int {
        guard ModelRepository.isValidName(name) else {
            throw KilnError.invalidArgument("model names hold letters, digits, '-', '_' and '.' (at most 128), got '\(name.prefix(128))'")
        }
        return try await lifecycle.run {
            let folder = repository.root.appendingPathComponent(name, isDirectory: true)
            let modelConfigURL = folder.appendingPathComponent("config.json")
            let stagedModelConfig = staged.appendingPathComponent("model-config.json")
            let isNewModel = !FileManager.default.fileExists(atPath: modelConfigURL.path)
            if isNewModel && !FileManager.default.fileExists(atPath: stagedModelConfig.path) {
                throw KilnError.invalidArgument("'\(name)' is a new model: send its config.json as the 'config' part")
            }
            let existing = repositoryVersions(of: name)
            if let requested, requested < 1 || existing.contains(requested) {
                throw KilnError.conflict("model '\(name)' already has a version \(requested) in the repository")
            }
            let number = requested ?? (existing.max() ?? 0) + 1
            let candidate = try repository.stagedVersion(
                number: number, directory: staged,
                modelConfig: isNewModel ? stagedModelConfig : modelConfigURL)
            do {
                _ = try factory.makeRuntime(for: candidate)
                _ = try candidate.readReference()
            } catch let error as KilnError {
                throw KilnError.invalidArgument("the uploaded version does not load: \(error.message)")
            }
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            if isNewModel {
                try FileManager.default.moveItem(at: stagedModelConfig, to: modelConfigURL)
            } else if FileManager.default.fileExists(atPath: stagedModelConfig.path) {
                try FileManager.default.removeItem(at: stagedModelConfig)
            }
            try FileManager.default.moveItem(at: staged, to: folder.appendingPathComponent(String(number), isDirectory: true))
            try await loadLocked(name)
            return number
        }
    }

    /// Deletes one version from the repository. The model is reloaded without it (requests in
    /// flight on the version finish first); with no version left, it is unloaded and removed.
    public func removeVersion(_ name: String, number: Int) async throws {
        try await lifecycle.run {
            let folder = repository.root.appendingPathComponent(name, isDirectory: true)
            let versionFolder = folder.appendingPathComponent(String(number), isDirectory: true)
            guard FileManager.default.fileExists(atPath: versionFolder.path) else {
                throw KilnError.notFound("model '\(name)' has no version \(number) in the repository")
            }
            try FileManager.default.removeItem(at: versionFolder)
            let wasLoaded = models.withLock { $0[name]?.versions.isEmpty == false }
            if repositoryVersions(of: name).isEmpty {
                await retire(models.withLock { $0.removeValue(forKey: name) })
                try FileManager.default.removeItem(at: folder)
            } else if wasLoaded {
                try await loadLocked(name)
            }
            logger.info("model version removed", metadata: ["model": "\(name)", "version": "\(number)"])
        }
    }

    public func unload(_ name: String) async throws {
        try await lifecycle.run {
            let previous = models.withLock { $0.removeValue(forKey: name) }
            guard previous != nil || FileManager.default.fileExists(atPath: repository.root.appendingPathComponent(name).path) else {
                throw KilnError.notFound("no model '\(name)'")
            }
            await retire(previous)
            logger.info("model unloaded", metadata: ["model": "\(name)"])
        }
    }

    /// Unloads idle models, least recently used first, until `bytes` more fit in the budget.
    /// Models with requests queued or running are never chosen.
    private func makeRoom(for bytes: Int, replacing name: String) async throws {
        guard let limit = settings.memoryBudget else { return }
        let current = models.withLock { $0 }.filter { $0.key != name && !$0.value.versions.isEmpty }
        let resident = current.map { name, model in
            MemoryBudget.Resident(
                name: name, bytes: model.versions.values.reduce(0) { $0 + $1.memoryBytes },
                idle: model.versions.values.allSatisfy(\.scheduler.isIdle),
                lastUsed: model.versions.values.map(\.scheduler.lastUsed).max() ?? .now)
        }
        guard let victims = MemoryBudget(limit: limit).victims(toFit: bytes, resident: resident) else {
            throw KilnError(.unavailable, "loading '\(name)' needs about \(bytes) bytes; that does not fit the memory budget (\(limit) bytes) even after unloading every idle model",
                            details: ["retry_after_seconds": .int(1)])
        }
        for victim in victims {
            let model = models.withLock { $0.removeValue(forKey: victim) }
            await retire(model)
            logger.notice("unloaded an idle model to stay within the memory budget", metadata: ["model": "\(victim)"])
        }
    }

    public var lazyLoad: Bool { settings.lazyLoad }

    /// Closes old schedulers: queued requests still finish; new ones go to the replacement.
    private func retire(_ model: Model?) async {
        for version in model?.versions.values ?? [:].values {
            version.scheduler.close()
            version.scheduler.metrics.loadedChanged(loaded: false, artifactBytes: 0)
        }
    }

    static func fileSize(_ url: URL) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    /// Sets the versions of `name` that aliases point at. A loaded model that lacks one of them
    /// is reloaded with it (requests in flight finish on the old schedulers first); a failed
    /// reload keeps the versions already loaded and is shown in the index, as any load failure.
    public func pin(_ name: String, versions: Set<Int>) async {
        let changed = pinned.withLock { pins in
            defer { pins[name] = versions }
            return pins[name] != versions
        }
        guard changed else { return }
        let loaded = models.withLock { $0[name].map { Set($0.versions.keys) } } ?? []
        let present = versions.intersection(repositoryVersions(of: name))
        if !loaded.isEmpty, !present.isSubset(of: loaded) { try? await load(name) }
    }

    /// Sets every model's pinned versions before anything loads (start-up).
    public func setPins(_ all: [String: Set<Int>]) {
        pinned.withLock { $0 = all }
    }

    /// Loads every model in the repository (start-up with `--load-models all`).
    public func loadAll() async {
        for entry in repository.scan() {
            do { try await load(entry.name) } catch {}
        }
    }

    /// The version that serves a request: the given one, or the highest loaded.
    public func resolve(_ name: String, version: Int?) throws -> LoadedVersion {
        let model = models.withLock { $0[name] }
        guard let model, !model.versions.isEmpty else {
            if let failure = model?.failure {
                throw KilnError(.unavailable, "model '\(name)' is not available: \(failure)")
            }
            throw KilnError.notFound("model '\(name)' is not loaded")
        }
        if let version {
            guard let loaded = model.versions[version] else {
                throw KilnError.notFound("model '\(name)' has no loaded version \(version)")
            }
            return loaded
        }
        return model.versions[model.versions.keys.max()!]!
    }

    /// Every model in the repository with its state, plus loaded models no longer on disk.
    public func index() -> [ModelStatus] {
        let loaded = models.withLock { $0 }
        var statuses: [ModelStatus] = []
        for entry in repository.scan() {
            if let model = loaded[entry.name], !model.versions.isEmpty {
                for version in model.versions.keys.sorted() {
                    statuses.append(ModelStatus(name: entry.name, version: version, state: .ready, reason: ""))
                }
            } else {
                statuses.append(ModelStatus(
                    name: entry.name, version: nil, state: .unavailable, reason: Self.reason(loaded[entry.name], entry)))
            }
        }
        return statuses
    }

    /// Why a model in the repository is not serving.
    public func unavailableReason(_ entry: ModelRepository.Entry) -> String {
        Self.reason(models.withLock { $0[entry.name] }, entry)
    }

    private static func reason(_ model: Model?, _ entry: ModelRepository.Entry) -> String {
        model?.failure ?? entry.problem ?? "not loaded"
    }

    /// Version numbers present on disk for a model (whatever the version policy loads).
    public func repositoryVersions(of name: String) -> [Int] {
        repository.versionNumbers(of: name)
    }

    public var repositoryRoot: URL { repository.root }

    /// The repository's models with their problems, for listings.
    public func repositoryEntries() -> [ModelRepository.Entry] {
        repository.scan()
    }

    /// One model folder, read alone; nil when there is no such folder.
    public func repositoryEntry(named name: String) -> ModelRepository.Entry? {
        var isDirectory: ObjCBool = false
        guard ModelRepository.isValidName(name),
              FileManager.default.fileExists(atPath: repository.root.appendingPathComponent(name).path, isDirectory: &isDirectory),
              isDirectory.boolValue else { return nil }
        return repository.entry(named: name)
    }

    public func loadedVersions() -> [LoadedVersion] {
        allLoaded().sorted { ($0.name, $0.version) < ($1.name, $1.version) }
    }
}
