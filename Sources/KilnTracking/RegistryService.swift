import Foundation
import KilnCore
import KilnServing
import Logging

/// The model registry (MLflow's registered models and versions), joined to Kiln's serving:
/// a version whose source folder holds a Kiln-servable model (`config.json` next to `model.pt`,
/// `model.json` or `model.ubj`) is installed into the model repository under the same version
/// number; aliases are Kiln's aliases, and the `Staging`/`Production` stages move the
/// `staging`/`production` aliases, so `name@production` follows the registry.
public struct RegistryService: Sendable {
    let repository: any ModelRegistryRepository
    let tracking: any TrackingRepository
    let serving: ModelRegistry
    let artifacts: ArtifactService
    let logger: Logger

    public init(repository: any ModelRegistryRepository, tracking: any TrackingRepository, serving: ModelRegistry,
                artifacts: ArtifactService, logger: Logger) {
        self.repository = repository
        self.tracking = tracking
        self.serving = serving
        self.artifacts = artifacts
        self.logger = logger
    }

    /// A registered model with what MLflow shows alongside it.
    public struct ModelView: Sendable {
        public var model: RegisteredModel
        public var latestVersions: [ModelVersion]
        public var aliases: [String: Int]
    }

    /// A version with its aliases.
    public struct VersionView: Sendable {
        public var version: ModelVersion
        public var aliases: [String]

        public init(version: ModelVersion, aliases: [String]) {
            self.version = version
            self.aliases = aliases
        }
    }

    // MARK: Registered models

    public func createRegisteredModel(name: String, description: String, tags: [TrackingTag]) async throws -> ModelView {
        try Self.validate(name: name)
        for tag in tags { try Self.validate(tag: tag) }
        let now = epochMilliseconds()
        try await repository.createRegisteredModel(RegisteredModel(name: name, creationTime: now, lastUpdatedTime: now, description: description, tags: tags))
        return try await registeredModel(name: name)
    }

    public func registeredModel(name: String) async throws -> ModelView {
        guard let model = try await repository.registeredModel(named: name) else { throw Self.modelNotFound(name) }
        return try await view(model)
    }

    private func view(_ model: RegisteredModel) async throws -> ModelView {
        ModelView(model: model, latestVersions: Self.latestPerStage(try await versions(of: model.name)), aliases: serving.aliases(of: model.name))
    }

    /// Every version of the model `name`.
    private func versions(of name: String) async throws -> [ModelVersion] {
        try await repository.searchModelVersions(
            filter: SearchFilter(clauses: [.init(entity: .attribute, key: "name", comparator: .equal, value: .string(name))]),
            orderBy: [], limit: TrackingLimits.maxSearchResults, offset: 0)
    }

    /// The highest version in each stage, as MLflow's `latest_versions` shows them.
    static func latestPerStage(_ versions: [ModelVersion], stages: [ModelStage]? = nil) -> [ModelVersion] {
        var latest: [ModelStage: ModelVersion] = [:]
        for version in versions where stages?.contains(version.stage) ?? true {
            if latest[version.stage].map({ version.version > $0.version }) ?? true { latest[version.stage] = version }
        }
        return latest.values.sorted { $0.version < $1.version }
    }

    public func latestVersions(name: String, stages: [String]) async throws -> [VersionView] {
        let parsed = try stages.map { name -> ModelStage in
            guard let stage = ModelStage(name: name) else { throw Self.invalidStage(name) }
            return stage
        }
        let view = try await registeredModel(name: name)
        return Self.latestPerStage(try await versions(of: name), stages: parsed.isEmpty ? nil : parsed).map { version in
            VersionView(version: version, aliases: view.aliases.filter { $0.value == version.version }.map(\.key).sorted())
        }
    }

    public func searchRegisteredModels(filter: String?, orderBy: [String], maxResults: Int?, pageToken: String?) async throws -> Page<ModelView> {
        let (limit, offset) = try TrackingService.paging(maxResults: maxResults ?? 100, pageToken: pageToken)
        let found = try await repository.searchRegisteredModels(
            filter: try SearchFilter(parsing: filter ?? ""), orderBy: try orderBy.map(SearchOrder.init(parsing:)), limit: limit + 1, offset: offset)
        let page = TrackingService.page(found, limit: limit, offset: offset)
        var views: [ModelView] = []
        for model in page.items { views.append(try await view(model)) }
        return Page(items: views, nextPageToken: page.nextPageToken)
    }

    public func updateRegisteredModel(name: String, description: String) async throws -> ModelView {
        _ = try await registeredModel(name: name)
        try await repository.updateRegisteredModel(name: name, description: description, now: epochMilliseconds())
        return try await registeredModel(name: name)
    }

    /// Renaming moves versions, tags and aliases. A model Kiln serves keeps its name: its URLs
    /// and its folder in the model repository would change under running clients.
    public func renameRegisteredModel(name: String, to newName: String) async throws -> ModelView {
        try Self.validate(name: newName)
        _ = try await registeredModel(name: name)
        if try await servedVersions(of: name).isEmpty == false {
            throw KilnError.invalidArgument("registered model '\(name)' has versions served by Kiln; it cannot be renamed (register it under the new name instead)")
        }
        try await repository.renameRegisteredModel(from: name, to: newName, now: epochMilliseconds())
        try await serving.refresh()
        return try await registeredModel(name: newName)
    }

    /// Deletes the model, its versions and aliases, and removes the versions Kiln served from
    /// the model repository.
    public func deleteRegisteredModel(name: String, actor: String) async throws {
        _ = try await registeredModel(name: name)
        for version in try await servedVersions(of: name) {
            try await serving.manager.removeVersion(name, number: version.version)
        }
        try await repository.deleteRegisteredModel(name: name)
        try await serving.refresh()
        logger.info("registered model deleted", metadata: ["model": "\(name)", "actor": "\(actor)"])
    }

    private func servedVersions(of name: String) async throws -> [ModelVersion] {
        try await versions(of: name).filter(\.served)
    }

    public func setRegisteredModelTag(name: String, _ tag: TrackingTag) async throws {
        try Self.validate(tag: tag)
        _ = try await registeredModel(name: name)
        try await repository.setRegisteredModelTag(name: name, tag)
    }

    public func deleteRegisteredModelTag(name: String, key: String) async throws {
        _ = try await registeredModel(name: name)
        guard try await repository.deleteRegisteredModelTag(name: name, key: key) else {
            throw KilnError.notFound("Registered model '\(name)' has no tag '\(key.prefix(250))'")
        }
    }

    // MARK: Versions

    /// Registers a version of `source`. When the source folder holds a Kiln-servable model it
    /// is installed and served first, and the version records that; a model that fails to load
    /// is still registered, with the reason in the tag `kiln.serving_error`.
    public func createModelVersion(name: String, source: String, runID: String?, description: String, tags: [TrackingTag], userID: String) async throws -> VersionView {
        _ = try await registeredModel(name: name)
        for tag in tags { try Self.validate(tag: tag) }
        guard !source.isEmpty else { throw KilnError.invalidArgument("Missing value for required parameter 'source'") }
        let artifactPath = try await self.artifactPath(of: source)
        // Kiln's repository and the registry share version numbers, so neither may reuse one.
        let minimum = (serving.manager.repositoryVersions(of: name).max() ?? 0) + 1
        let now = epochMilliseconds()
        var version = ModelVersion(
            name: name, version: 0, creationTime: now, lastUpdatedTime: now, description: description, userID: userID,
            stage: .none, source: source, runID: runID ?? "", served: false, tags: tags)
        version = try await repository.createModelVersion(version, minimumNumber: minimum)
        if let artifactPath, try await isServable(artifactPath) {
            do {
                try await install(name: name, number: version.version, from: artifactPath)
            } catch {
                // The version stays registered either way (MLflow clients register what Kiln cannot
                // serve); only Kiln's own messages are safe to show, the rest goes to the log.
                let reason = (error as? KilnError)?.message ?? "the model files could not be staged for serving"
                logger.warning("registered version is not servable", metadata: ["model": "\(name)", "version": "\(version.version)", "error": "\(error)"])
                let tag = TrackingTag(key: "kiln.serving_error", value: String(reason.prefix(TrackingLimits.maxTagValueLength)))
                try await repository.setModelVersionTag(name: name, version: version.version, tag)
                version.tags.append(tag)
                return VersionView(version: version, aliases: [])
            }
            try await repository.updateModelVersion(name: name, version: version.version, description: nil, served: true, now: now)
            version.served = true
        }
        return VersionView(version: version, aliases: [])
    }

    /// The artifact-store path behind `source`: `mlflow-artifacts:/X` is X, `runs:/<id>/p` is
    /// p under the run's artifact root. Other schemes are registered but never served.
    func artifactPath(of source: String) async throws -> String? {
        if let path = try ArtifactService.path(ofURI: source) { return path }
        if source.hasPrefix("runs:/") {
            let rest = source.dropFirst("runs:/".count)
            let parts = rest.split(separator: "/", maxSplits: 1)
            guard let runID = parts.first, let info = try await tracking.runInfo(id: String(runID)) else {
                throw KilnError.invalidArgument("Invalid model version source: '\(source.prefix(300))': no such run")
            }
            guard let root = try ArtifactService.path(ofURI: info.artifactURI) else { return nil }
            return parts.count > 1 ? try ArtifactService.safePath(root + "/" + parts[1]) : root
        }
        return nil
    }

    private func isServable(_ path: String) async throws -> Bool {
        let names = Set(try await artifacts.list(path: path).filter { !$0.isDirectory }.map(\.name))
        return names.contains("config.json") && !names.isDisjoint(with: ["model.pt", "model.json", "model.ubj"])
    }

    private func install(name: String, number: Int, from path: String) async throws {
        let staging = serving.manager.repositoryRoot.appendingPathComponent(".staging/\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: staging) }
        try await artifacts.materialize(path: path, into: staging)
        // A new model's config is the version's, serving every version (unless it says
        // otherwise), so that moving an alias between versions never has to load one.
        let config = staging.appendingPathComponent("config.json")
        guard var object = try? JSONDecoder().decode([String: JSONValue].self, from: Data(contentsOf: config)) else {
            throw KilnError.invalidArgument("config.json is not a JSON object")
        }
        if object["version_policy"] == nil { object["version_policy"] = .object(["all": .bool(true)]) }
        try JSONEncoder().encode(object).write(to: staging.appendingPathComponent("model-config.json"))
        _ = try await serving.manager.installVersion(name, staged: staging, number: number)
    }

    public func modelVersion(name: String, version: String) async throws -> VersionView {
        let number = try Self.versionNumber(version)
        guard let found = try await repository.modelVersion(name: name, version: number) else {
            throw KilnError.notFound("Model Version (name=\(name), version=\(version.prefix(32))) not found")
        }
        return VersionView(version: found, aliases: serving.aliases(of: name).filter { $0.value == number }.map(\.key).sorted())
    }

    public func searchModelVersions(filter: String?, orderBy: [String], maxResults: Int?, pageToken: String?) async throws -> Page<VersionView> {
        let (limit, offset) = try TrackingService.paging(maxResults: maxResults ?? 10_000, pageToken: pageToken)
        let found = try await repository.searchModelVersions(
            filter: try SearchFilter(parsing: filter ?? ""), orderBy: try orderBy.map(SearchOrder.init(parsing:)), limit: limit + 1, offset: offset)
        let page = TrackingService.page(found, limit: limit, offset: offset)
        return Page(items: page.items.map { version in
            VersionView(version: version, aliases: serving.aliases(of: version.name).filter { $0.value == version.version }.map(\.key).sorted())
        }, nextPageToken: page.nextPageToken)
    }

    public func updateModelVersion(name: String, version: String, description: String) async throws -> VersionView {
        let current = try await modelVersion(name: name, version: version)
        try await repository.updateModelVersion(name: name, version: current.version.version, description: description, served: nil, now: epochMilliseconds())
        return try await modelVersion(name: name, version: version)
    }

    /// Moves the version to `stage`. `Staging` and `Production` also point the `staging` /
    /// `production` alias at it; a version leaving a stage takes that stage's alias with it.
    public func transitionStage(name: String, version: String, stage stageName: String, archiveExisting: Bool, actor: String) async throws -> VersionView {
        guard let stage = ModelStage(name: stageName) else { throw Self.invalidStage(stageName) }
        let current = try await modelVersion(name: name, version: version)
        let number = current.version.version
        _ = try await repository.transitionStage(name: name, version: number, to: stage, archiveOthers: archiveExisting, now: epochMilliseconds())
        let aliases = serving.aliases(of: name)
        if let alias = current.version.stage.alias, alias != stage.alias, aliases[alias] == number {
            try await serving.removeAlias(model: name, alias: alias, actor: actor)
        }
        if let alias = stage.alias {
            try await serving.storeAlias(model: name, alias: alias, version: number, actor: actor)
        }
        return try await modelVersion(name: name, version: version)
    }

    public func deleteModelVersion(name: String, version: String) async throws {
        let current = try await modelVersion(name: name, version: version)
        if current.version.served {
            try await serving.manager.removeVersion(name, number: current.version.version)
        }
        try await repository.deleteModelVersion(name: name, version: current.version.version)
        try await serving.refresh()
    }

    public func setModelVersionTag(name: String, version: String, _ tag: TrackingTag) async throws {
        try Self.validate(tag: tag)
        let current = try await modelVersion(name: name, version: version)
        try await repository.setModelVersionTag(name: name, version: current.version.version, tag)
    }

    public func deleteModelVersionTag(name: String, version: String, key: String) async throws {
        let current = try await modelVersion(name: name, version: version)
        guard try await repository.deleteModelVersionTag(name: name, version: current.version.version, key: key) else {
            throw KilnError.notFound("Model version \(name)/\(version) has no tag '\(key.prefix(250))'")
        }
    }

    /// The folder the version's files can be downloaded from, as an `mlflow-artifacts:` URI.
    public func downloadURI(name: String, version: String) async throws -> String {
        let current = try await modelVersion(name: name, version: version)
        if let path = try await artifactPath(of: current.version.source) { return "mlflow-artifacts:/\(path)" }
        return current.version.source
    }

    // MARK: Aliases

    public func setAlias(name: String, alias: String, version: String, actor: String) async throws {
        let current = try await modelVersion(name: name, version: version)
        guard alias.lowercased() != "latest", !(alias.lowercased().hasPrefix("v") && Int(alias.dropFirst()) != nil) else {
            throw KilnError.invalidArgument("'\(alias.prefix(64))' is reserved and cannot be used as an alias")
        }
        try await serving.storeAlias(model: name, alias: alias, version: current.version.version, actor: actor)
    }

    public func deleteAlias(name: String, alias: String, actor: String) async throws {
        _ = try await registeredModel(name: name)
        try await serving.removeAlias(model: name, alias: alias, actor: actor)
    }

    public func versionByAlias(name: String, alias: String) async throws -> VersionView {
        _ = try await registeredModel(name: name)
        guard let number = serving.aliases(of: name)[alias] else {
            throw KilnError.invalidArgument("Registered model alias \(alias.prefix(64)) not found.")
        }
        return try await modelVersion(name: name, version: String(number))
    }

    // MARK: Validation

    static func validate(name: String) throws {
        guard !name.isEmpty else { throw KilnError.invalidArgument("Missing value for required parameter 'name'") }
        // Registered model names are also Kiln model names (URL segments and folder names).
        guard ModelRepository.isValidName(name) else {
            throw KilnError.invalidArgument(
                "Invalid model name '\(name.prefix(128))': Kiln model names hold letters, digits, '-', '_' and '.' (at most 128)")
        }
    }

    static func validate(tag: TrackingTag) throws {
        try TrackingService.validate(key: tag.key, kind: "Tag")
        guard tag.value.count <= 100_000 else {
            throw KilnError.invalidArgument("Tag value exceeds the maximum length of 100000 characters")
        }
    }

    static func versionNumber(_ text: String) throws -> Int {
        guard let number = Int(text), number > 0 else {
            throw KilnError.invalidArgument("Model version must be a positive integer, got '\(text.prefix(32))'")
        }
        return number
    }

    static func modelNotFound(_ name: String) -> KilnError {
        KilnError.notFound("Registered Model with name=\(name.prefix(256)) not found")
    }

    static func invalidStage(_ name: String) -> KilnError {
        KilnError.invalidArgument("Invalid Model Version stage: \(name.prefix(64)). Value must be one of None, Staging, Production, Archived.")
    }
}
