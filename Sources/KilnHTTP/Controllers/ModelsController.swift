import Foundation
import Hummingbird
import KilnCore
import KilnServing

/// `/v1/models`: what the repository holds, what is loaded, and the registry's aliases.
struct ModelsController {
    let registry: ModelRegistry
    let json: JSONBody

    struct VersionView: Encodable {
        var version: Int
        var state: String
        var artifactBytes: Int?
        var lastUsed: Date?
    }

    struct ModelView: Encodable {
        var name: String
        var state: String
        var reason: String?
        var platform: String?
        var versions: [VersionView]
        var aliases: [String: Int]
    }

    struct ModelList: Encodable {
        var models: [ModelView]
    }

    struct SetAliasRequest: Decodable {
        var alias: String
        var version: Int
    }

    func addRoutes(to group: RouterGroup<KilnRequestContext>, adminOnly: RequireRoleMiddleware) {
        group.get(use: list)
        group.get("{model}", use: show)
        let admin = group.group().add(middleware: adminOnly)
        admin.post("{model}/aliases", use: setAlias)
        admin.delete("{model}/aliases/{alias}", use: removeAlias)
    }

    @Sendable func list(_ request: Request, context: KilnRequestContext) throws -> Response {
        try JSONBody.response(ModelList(models: registry.manager.repositoryEntries().map { view(of: $0.name, problem: $0.problem) }))
    }

    @Sendable func show(_ request: Request, context: KilnRequestContext) throws -> Response {
        let name = try context.parameters.require("model")
        let entry = registry.manager.repositoryEntries().first { $0.name == name }
        guard let entry else { throw KilnError.notFound("no model '\(name.prefix(128))' in the repository") }
        return try JSONBody.response(view(of: entry.name, problem: entry.problem))
    }

    @Sendable func setAlias(_ request: Request, context: KilnRequestContext) async throws -> Response {
        let name = try context.parameters.require("model")
        let body = try await json.decode(SetAliasRequest.self, from: request, context: context)
        try await registry.setAlias(model: name, alias: body.alias, version: body.version, actor: try context.principal().actor)
        return try JSONBody.response(view(of: name, problem: nil))
    }

    @Sendable func removeAlias(_ request: Request, context: KilnRequestContext) async throws -> Response {
        let name = try context.parameters.require("model")
        try await registry.removeAlias(model: name, alias: try context.parameters.require("alias"), actor: try context.principal().actor)
        return Response(status: .noContent)
    }

    private func view(of name: String, problem: String?) -> ModelView {
        let manager = registry.manager
        let loaded = manager.loadedVersions().filter { $0.name == name }
        let loadedNumbers = Set(loaded.map(\.version))
        var versions = loaded.map { version in
            let last = version.scheduler.statistics.lastInference
            return VersionView(
                version: version.version, state: "READY", artifactBytes: version.artifactBytes,
                lastUsed: last > 0 ? Date(timeIntervalSince1970: Double(last) / 1000) : nil)
        }
        for number in manager.repositoryVersions(of: name) where !loadedNumbers.contains(number) {
            versions.append(VersionView(version: number, state: "UNAVAILABLE"))
        }
        versions.sort { $0.version < $1.version }
        let failure = manager.index().first { $0.name == name && $0.state == .unavailable }?.reason
        return ModelView(
            name: name, state: loaded.isEmpty ? "UNAVAILABLE" : "READY", reason: loaded.isEmpty ? (problem ?? failure) : nil,
            platform: loaded.first?.config.platform.rawValue, versions: versions, aliases: registry.aliases(of: name))
    }
}
