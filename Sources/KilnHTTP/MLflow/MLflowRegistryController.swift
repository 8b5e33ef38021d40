import Foundation
import Hummingbird
import KilnCore
import KilnHTTPKit
import KilnTracking

/// MLflow's model registry REST API (`/api/2.0/mlflow/registered-models/…`, `model-versions/…`).
/// Reading is open to any authenticated caller; changing the registry changes what Kiln serves,
/// so it takes role `admin` or `service`.
struct MLflowRegistryController {
    let registry: RegistryService
    let json: JSONBody

    typealias Handler = @Sendable (MLflowInput, KilnRequestContext) async throws -> [String: JSONValue]

    func addRoutes(to api: RouterGroup<KilnRequestContext>) {
        func route(_ method: HTTPRequest.Method, _ path: RouterPath, writes: Bool = false, _ handler: @escaping Handler) {
            api.on(path, method: method) { request, context in
                if writes {
                    let principal = try context.principal()
                    guard principal.role == .admin || principal.role == .service else {
                        throw KilnError(.permissionDenied, "changing the model registry requires role admin or service")
                    }
                }
                let input = try await MLflowInput.read(request, json: json)
                return MLflowJSON.response(try await handler(input, context))
            }
        }
        route(.post, "registered-models/create", writes: true) { input, _ in
            let view = try await registry.createRegisteredModel(
                name: try input.require("name"), description: try input.string("description") ?? "", tags: try input.tags("tags"))
            return ["registered_model": MLflowJSON.registeredModel(view)]
        }
        route(.get, "registered-models/get") { input, _ in
            ["registered_model": MLflowJSON.registeredModel(try await registry.registeredModel(name: try input.require("name")))]
        }
        route(.get, "registered-models/search", searchRegisteredModels)
        route(.post, "registered-models/search", searchRegisteredModels)
        route(.patch, "registered-models/update", writes: true) { input, _ in
            let view = try await registry.updateRegisteredModel(name: try input.require("name"), description: try input.string("description") ?? "")
            return ["registered_model": MLflowJSON.registeredModel(view)]
        }
        route(.post, "registered-models/rename", writes: true) { input, _ in
            let view = try await registry.renameRegisteredModel(name: try input.require("name"), to: try input.require("new_name"))
            return ["registered_model": MLflowJSON.registeredModel(view)]
        }
        route(.delete, "registered-models/delete", writes: true) { input, context in
            try await registry.deleteRegisteredModel(name: try input.require("name"), actor: try context.principal().actor)
            return MLflowJSON.empty
        }
        route(.post, "registered-models/set-tag", writes: true) { input, _ in
            try await registry.setRegisteredModelTag(name: try input.require("name"), try input.tag())
            return MLflowJSON.empty
        }
        route(.delete, "registered-models/delete-tag", writes: true) { input, _ in
            try await registry.deleteRegisteredModelTag(name: try input.require("name"), key: try input.require("key"))
            return MLflowJSON.empty
        }
        route(.post, "registered-models/alias", writes: true) { input, context in
            try await registry.setAlias(name: try input.require("name"), alias: try input.require("alias"),
                                        version: try input.require("version"), actor: try context.principal().actor)
            return MLflowJSON.empty
        }
        route(.delete, "registered-models/alias", writes: true) { input, context in
            try await registry.deleteAlias(name: try input.require("name"), alias: try input.require("alias"), actor: try context.principal().actor)
            return MLflowJSON.empty
        }
        route(.get, "registered-models/alias") { input, _ in
            ["model_version": MLflowJSON.modelVersion(try await registry.versionByAlias(name: try input.require("name"), alias: try input.require("alias")))]
        }
        route(.post, "registered-models/get-latest-versions", latestVersions)
        route(.get, "registered-models/get-latest-versions", latestVersions)

        route(.post, "model-versions/create", writes: true) { input, context in
            let view = try await registry.createModelVersion(
                name: try input.require("name"), source: try input.require("source"), runID: try input.string("run_id"),
                description: try input.string("description") ?? "", tags: try input.tags("tags"), userID: try context.principal().id)
            return ["model_version": MLflowJSON.modelVersion(view)]
        }
        route(.get, "model-versions/get") { input, _ in
            ["model_version": MLflowJSON.modelVersion(try await registry.modelVersion(name: try input.require("name"), version: try input.require("version")))]
        }
        route(.get, "model-versions/search", searchModelVersions)
        route(.post, "model-versions/search", searchModelVersions)
        route(.patch, "model-versions/update", writes: true) { input, _ in
            let view = try await registry.updateModelVersion(
                name: try input.require("name"), version: try input.require("version"), description: try input.string("description") ?? "")
            return ["model_version": MLflowJSON.modelVersion(view)]
        }
        route(.delete, "model-versions/delete", writes: true) { input, _ in
            try await registry.deleteModelVersion(name: try input.require("name"), version: try input.require("version"))
            return MLflowJSON.empty
        }
        route(.post, "model-versions/transition-stage", writes: true) { input, context in
            let view = try await registry.transitionStage(
                name: try input.require("name"), version: try input.require("version"), stage: try input.require("stage"),
                archiveExisting: try input.bool("archive_existing_versions") ?? false, actor: try context.principal().actor)
            return ["model_version": MLflowJSON.modelVersion(view)]
        }
        route(.post, "model-versions/set-tag", writes: true) { input, _ in
            try await registry.setModelVersionTag(name: try input.require("name"), version: try input.require("version"), try input.tag())
            return MLflowJSON.empty
        }
        route(.delete, "model-versions/delete-tag", writes: true) { input, _ in
            try await registry.deleteModelVersionTag(name: try input.require("name"), version: try input.require("version"), key: try input.require("key"))
            return MLflowJSON.empty
        }
        route(.get, "model-versions/get-download-uri") { input, _ in
            ["artifact_uri": .string(try await registry.downloadURI(name: try input.require("name"), version: try input.require("version")))]
        }
    }

    @Sendable func searchRegisteredModels(_ input: MLflowInput, _ context: KilnRequestContext) async throws -> [String: JSONValue] {
        let page = try await registry.searchRegisteredModels(
            filter: try input.string("filter"), orderBy: try input.strings("order_by"),
            maxResults: try input.int("max_results"), pageToken: try input.string("page_token"))
        return MLflowJSON.withPageToken(["registered_models": .array(page.items.map(MLflowJSON.registeredModel))], page.nextPageToken)
    }

    @Sendable func searchModelVersions(_ input: MLflowInput, _ context: KilnRequestContext) async throws -> [String: JSONValue] {
        let page = try await registry.searchModelVersions(
            filter: try input.string("filter"), orderBy: try input.strings("order_by"),
            maxResults: try input.int("max_results"), pageToken: try input.string("page_token"))
        return MLflowJSON.withPageToken(["model_versions": .array(page.items.map(MLflowJSON.modelVersion))], page.nextPageToken)
    }

    @Sendable func latestVersions(_ input: MLflowInput, _ context: KilnRequestContext) async throws -> [String: JSONValue] {
        let versions = try await registry.latestVersions(name: try input.require("name"), stages: try input.strings("stages"))
        return ["model_versions": .array(versions.map(MLflowJSON.modelVersion))]
    }
}
