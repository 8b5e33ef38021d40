import Foundation
import KilnCore
import Synchronization

/// Model references as clients write them (`name`, `name@alias`, a version number or an alias
/// in the version position) resolved to loaded versions, and alias management.
public final class ModelRegistry: Sendable {
    public let manager: ModelManager
    private let aliases: any ModelAliasRepository
    private let audit: any AuditLogRepository
    /// model → alias → version; the store is the truth, this is its cache for the hot path.
    private let cache = Mutex<[String: [String: Int]]>([:])

    public init(manager: ModelManager, aliases: any ModelAliasRepository, audit: any AuditLogRepository) {
        self.manager = manager
        self.aliases = aliases
        self.audit = audit
    }

    /// Reads every alias from the store (at start, and after changes by another process).
    public func refresh() async throws {
        let byModel = Dictionary(grouping: try await aliases.all(), by: \.model)
        cache.withLock { cache in
            cache = byModel.mapValues { Dictionary(uniqueKeysWithValues: $0.map { ($0.alias, $0.version) }) }
        }
        manager.setPins(byModel.mapValues { Set($0.map(\.version)) })
    }

    public func aliases(of model: String) -> [String: Int] {
        cache.withLock { $0[model] ?? [:] }
    }

    /// Resolves `reference` (`name` or `name@alias`) and an optional version (`3` or `production`).
    public func resolve(_ reference: String, version: String? = nil) throws -> LoadedVersion {
        var name = reference
        var label = version
        if let at = reference.firstIndex(of: "@") {
            guard version == nil else {
                throw KilnError.invalidArgument("give the version either as name@alias or in the path, not both")
            }
            name = String(reference[..<at])
            label = String(reference[reference.index(after: at)...])
        }
        guard let label else { return try manager.resolve(name, version: nil) }
        if let number = Int(label) {
            guard number > 0 else { throw KilnError.invalidArgument("model version must be positive, got \(number)") }
            return try manager.resolve(name, version: number)
        }
        guard let number = aliases(of: name)[label] else {
            throw KilnError.notFound("model '\(name)' has no alias '\(label.prefix(64))'")
        }
        return try manager.resolve(name, version: number)
    }

    /// Like `resolve`, but loads the model first when it is not loaded and lazy loading is on
    /// (or `always`, for background work that can wait for a load).
    public func resolveLoading(_ reference: String, version: String? = nil, always: Bool = false) async throws -> LoadedVersion {
        do {
            return try resolve(reference, version: version)
        } catch let error as KilnError where error.code == .notFound && (manager.lazyLoad || always) {
            let name = reference.split(separator: "@", maxSplits: 1).first.map(String.init) ?? reference
            guard !manager.repositoryVersions(of: name).isEmpty else { throw error }
            try await manager.load(name)
            return try resolve(reference, version: version)
        }
    }

    public func setAlias(model: String, alias: String, version: Int, actor: String) async throws {
        try Self.validate(alias: alias)
        guard manager.repositoryVersions(of: model).contains(version) else {
            throw KilnError.notFound("model '\(model)' has no version \(version) in the repository")
        }
        try await storeAlias(model: model, alias: alias, version: version, actor: actor)
    }

    /// Sets an alias without checking the repository: the MLflow registry labels versions that
    /// Kiln may not serve. References to such an alias answer "not found" until it is served.
    public func storeAlias(model: String, alias: String, version: Int, actor: String) async throws {
        try Self.validate(alias: alias)
        try await aliases.set(ModelAlias(model: model, alias: alias, version: version, updatedAt: Date()))
        cache.withLock { $0[model, default: [:]][alias] = version }
        await manager.pin(model, versions: Set(aliases(of: model).values))
        try await audit.append(AuditEntry(
            at: Date(), actor: actor, action: "model.alias.set", target: model,
            details: ["alias": .string(alias), "version": .int(version)]))
    }

    private static func validate(alias: String) throws {
        guard ModelAlias.isValidName(alias) else {
            throw KilnError.invalidArgument("alias must start with a letter and hold letters, digits, '-' or '_' (at most 64)")
        }
    }

    public func removeAlias(model: String, alias: String, actor: String) async throws {
        guard try await aliases.remove(model: model, alias: alias) else {
            throw KilnError.notFound("model '\(model)' has no alias '\(alias.prefix(64))'")
        }
        cache.withLock { _ = $0[model]?.removeValue(forKey: alias) }
        await manager.pin(model, versions: Set(aliases(of: model).values))
        try await audit.append(AuditEntry(at: Date(), actor: actor, action: "model.alias.remove", target: model,
                                          details: ["alias": .string(alias)]))
    }
}
