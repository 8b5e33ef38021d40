import Foundation
import Hummingbird
import KilnCore
import KilnExplain
import KilnHTTPKit
import KilnServing

/// `/v1/models`: what the repository holds, what is loaded, and the registry's aliases.
struct ModelsController {
    let registry: ModelRegistry
    let json: JSONBody
    let limits: Limits
    let audit: any AuditLogRepository

    struct VersionView: Encodable {
        var version: Int
        var state: String
        var artifactBytes: Int?
        /// What the memory budget counts for this version: the larger of its file and the
        /// resident memory its load added.
        var memoryBytes: Int?
        var lastUsed: Date?
        /// What `/explain` can do with this version, and whether it ships a reference sample.
        var explainMethods: [String]?
        var referenceRows: Int?
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
        admin.post("{model}/versions", use: uploadVersion)
    }

    struct UploadedVersion: Encodable {
        var name: String
        var version: Int
        var model: ModelView
    }

    /// A new version as multipart/form-data: `artifact` (model.pt, model.json or model.ubj) and,
    /// optionally, `config` (JSON; required for a new model) and `reference` (`reference.json`:
    /// training rows for explanations, checked against the model's signature). The version is loaded from a
    /// staging folder first and becomes visible only if that succeeds.
    @Sendable func uploadVersion(_ request: Request, context: KilnRequestContext) async throws -> Response {
        let name = try context.parameters.require("model")
        guard ModelRepository.isValidName(name) else {
            throw KilnError.invalidArgument("model names hold letters, digits, '-', '_' and '.' (at most 128)")
        }
        let staging = registry.manager.repositoryRoot.appendingPathComponent(".staging/\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        var installed = false
        defer { if !installed { try? FileManager.default.removeItem(at: staging) } }
        let upload = try await MultipartUpload.receive(
            request, into: staging,
            fileNames: { field, filename in
                if field == "reference" { return ReferenceSample.fileName }
                guard field == "artifact" else { throw KilnError.invalidArgument("unexpected file field '\(field)'; send 'artifact' (and optionally 'reference')") }
                let allowed = ["pt": "model.pt", "json": "model.json", "ubj": "model.ubj"]
                guard let target = allowed[URL(fileURLWithPath: filename).pathExtension.lowercased()] else {
                    throw KilnError.invalidArgument("the artifact must be a .pt (TorchScript), .json or .ubj (XGBoost) file")
                }
                return target
            },
            maxBytes: limits.maxUploadBytes, maxFieldBytes: limits.maxJSONBodyBytes)
        guard upload.files["artifact"] != nil else {
            throw KilnError.invalidArgument("missing the 'artifact' file part")
        }
        if let config = upload.fields["config"] {
            guard (try? JSONDecoder().decode([String: JSONValue].self, from: Data(config.utf8))) != nil else {
                throw KilnError.invalidArgument("the 'config' part is not a JSON object")
            }
            let exists = !registry.manager.repositoryVersions(of: name).isEmpty
            // For an existing model the part overrides its config for this version only.
            try Data(config.utf8).write(to: staging.appendingPathComponent(exists ? "config.json" : "model-config.json"))
        }
        let version = try await registry.manager.installVersion(name, staged: staging)
        installed = true
        try await audit.append(AuditEntry(at: Date(), actor: try context.principal().actor, action: "model.version.upload",
                                          target: name, details: ["version": .int(version)]))
        var headers = HTTPFields()
        headers[.location] = "/v1/models/\(name)"
        return try JSONBody.response(UploadedVersion(name: name, version: version, model: view(of: try entry(named: name))),
                                     status: .created, headers: headers)
    }

    @Sendable func list(_ request: Request, context: KilnRequestContext) throws -> Response {
        try JSONBody.response(ModelList(models: registry.manager.repositoryEntries().map(view(of:))))
    }

    @Sendable func show(_ request: Request, context: KilnRequestContext) throws -> Response {
        let name = try context.parameters.require("model")
        return try JSONBody.response(view(of: try entry(named: name)))
    }

    @Sendable func setAlias(_ request: Request, context: KilnRequestContext) async throws -> Response {
        let name = try context.parameters.require("model")
        let body = try await json.decode(SetAliasRequest.self, from: request, context: context)
        try await registry.setAlias(model: name, alias: body.alias, version: body.version, actor: try context.principal().actor)
        return try JSONBody.response(view(of: try entry(named: name)))
    }

    @Sendable func removeAlias(_ request: Request, context: KilnRequestContext) async throws -> Response {
        let name = try context.parameters.require("model")
        try await registry.removeAlias(model: name, alias: try context.parameters.require("alias"), actor: try context.principal().actor)
        return Response(status: .noContent)
    }

    private func entry(named name: String) throws -> ModelRepository.Entry {
        guard let entry = registry.manager.repositoryEntry(named: name) else {
            throw KilnError.notFound("no model '\(name.prefix(128))' in the repository")
        }
        return entry
    }

    private func view(of entry: ModelRepository.Entry) -> ModelView {
        let manager = registry.manager
        let name = entry.name
        let loaded = manager.loadedVersions().filter { $0.name == name }
        let loadedNumbers = Set(loaded.map(\.version))
        var versions = loaded.map { version in
            let last = version.scheduler.statistics.lastInference
            return VersionView(
                version: version.version, state: "READY", artifactBytes: version.artifactBytes, memoryBytes: version.memoryBytes,
                lastUsed: last > 0 ? Date(timeIntervalSince1970: Double(last) / 1000) : nil,
                explainMethods: ExplainMethod.supported(by: version.config).map(\.rawValue), referenceRows: version.reference?.rows)
        }
        for number in manager.repositoryVersions(of: name) where !loadedNumbers.contains(number) {
            versions.append(VersionView(version: number, state: "UNAVAILABLE"))
        }
        versions.sort { $0.version < $1.version }
        return ModelView(
            name: name, state: loaded.isEmpty ? "UNAVAILABLE" : "READY", reason: loaded.isEmpty ? manager.unavailableReason(entry) : nil,
            platform: loaded.first?.config.platform.rawValue, versions: versions, aliases: registry.aliases(of: name))
    }
}
