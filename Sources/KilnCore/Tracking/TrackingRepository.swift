/// Persistence of experiments, runs and their data. Validation (limits, names, states) is the
/// tracking service's job; a repository stores what it is given, atomically per call.
public protocol TrackingRepository: Sendable {
    /// Creates an experiment; `artifactLocation` nil means `mlflow-artifacts:/<id>`.
    /// Throws `conflict` when the name is taken.
    func createExperiment(name: String, artifactLocation: String?, tags: [TrackingTag], now: Int64) async throws -> Experiment
    func experiment(id: Int64) async throws -> Experiment?
    func experiment(named name: String) async throws -> Experiment?
    func searchExperiments(view: ViewType, filter: SearchFilter, orderBy: [SearchOrder], limit: Int, offset: Int) async throws -> [Experiment]
    func renameExperiment(id: Int64, to name: String, now: Int64) async throws
    /// Deleting an experiment also marks its runs deleted; restoring restores them.
    func setExperimentLifecycle(id: Int64, _ stage: LifecycleStage, now: Int64) async throws
    func setExperimentTag(id: Int64, _ tag: TrackingTag) async throws

    func createRun(_ info: RunInfo, tags: [TrackingTag]) async throws
    func run(id: String) async throws -> Run?
    func runInfo(id: String) async throws -> RunInfo?
    func updateRun(id: String, status: RunStatus?, endTime: Int64?, name: String?) async throws
    func setRunLifecycle(id: String, _ stage: LifecycleStage, now: Int64) async throws
    /// Stores metrics (history and latest value), params and tags in one transaction.
    /// A param that already exists with a different value fails the whole batch (`invalid_argument`).
    func logBatch(runID: String, metrics: [Metric], params: [TrackingTag], tags: [TrackingTag]) async throws
    /// Returns false when the run had no such tag.
    func deleteTag(runID: String, key: String) async throws -> Bool
    func metricHistory(runID: String, key: String, limit: Int, offset: Int) async throws -> [Metric]
    func searchRuns(experimentIDs: [Int64], filter: SearchFilter, view: ViewType, orderBy: [SearchOrder], limit: Int, offset: Int) async throws -> [Run]
    func appendRunInputs(runID: String, _ inputs: [JSONValue]) async throws
    func appendRunOutputs(runID: String, _ outputs: [JSONValue]) async throws
}

/// Persistence of registered models and their versions. Aliases live in the shared
/// `ModelAliasRepository`, so that Kiln's serving resolves `name@alias` from the same rows.
public protocol ModelRegistryRepository: Sendable {
    /// Throws `conflict` when the name is taken.
    func createRegisteredModel(_ model: RegisteredModel) async throws
    func registeredModel(named name: String) async throws -> RegisteredModel?
    func searchRegisteredModels(filter: SearchFilter, orderBy: [SearchOrder], limit: Int, offset: Int) async throws -> [RegisteredModel]
    func updateRegisteredModel(name: String, description: String, now: Int64) async throws
    /// Renames the model, its versions, tags and aliases together. Throws `conflict` when taken.
    func renameRegisteredModel(from name: String, to newName: String, now: Int64) async throws
    /// Deletes the model with its versions, tags and aliases.
    func deleteRegisteredModel(name: String) async throws
    func setRegisteredModelTag(name: String, _ tag: TrackingTag) async throws
    func deleteRegisteredModelTag(name: String, key: String) async throws -> Bool

    /// Stores a version numbered one above the highest existing one and at least `minimumNumber`.
    func createModelVersion(_ version: ModelVersion, minimumNumber: Int) async throws -> ModelVersion
    func modelVersion(name: String, version: Int) async throws -> ModelVersion?
    func searchModelVersions(filter: SearchFilter, orderBy: [SearchOrder], limit: Int, offset: Int) async throws -> [ModelVersion]
    func updateModelVersion(name: String, version: Int, description: String?, served: Bool?, now: Int64) async throws
    /// Moves the version to `stage`; with `archiveOthers`, versions in that stage move to Archived.
    /// Returns the versions whose stage changed as a side effect.
    func transitionStage(name: String, version: Int, to stage: ModelStage, archiveOthers: Bool, now: Int64) async throws -> [Int]
    /// Deletes the version, its tags and the aliases pointing at it.
    func deleteModelVersion(name: String, version: Int) async throws
    func setModelVersionTag(name: String, version: Int, _ tag: TrackingTag) async throws
    func deleteModelVersionTag(name: String, version: Int, key: String) async throws -> Bool
}

/// The index of artifact files: path under the artifact root → blob.
public protocol ArtifactRepository: Sendable {
    /// Stores or replaces the file at `path`; returns the file it replaced.
    func put(_ file: ArtifactFile, now: Int64) async throws -> ArtifactFile?
    func file(at path: String) async throws -> ArtifactFile?
    /// Every file strictly below the folder `prefix` (no trailing slash).
    func files(under prefix: String) async throws -> [ArtifactFile]
    /// Deletes the file at `path`, or everything under it when it is a folder; returns what was deleted.
    func delete(path: String) async throws -> [ArtifactFile]
}
