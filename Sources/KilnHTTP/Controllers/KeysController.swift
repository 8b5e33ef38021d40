import Foundation
import Hummingbird
import KilnCore
import KilnHTTPKit

/// `/v1/keys`: create, list and revoke API keys (admin only).
struct KeysController {
    let keys: KeyService
    let roles: RoleCatalog
    let json: JSONBody

    struct CreateRequest: Decodable {
        var role: String
        var name: String?
    }

    struct KeyView: Encodable {
        var id: String
        var name: String
        var role: Role
        var createdAt: Date
        var revokedAt: Date?

        init(_ record: APIKeyRecord) {
            id = record.id
            name = record.name
            role = record.role
            createdAt = record.createdAt
            revokedAt = record.revokedAt
        }
    }

    struct CreatedKey: Encodable {
        var id: String
        var name: String
        var role: Role
        var createdAt: Date
        /// The secret; shown in this response only.
        var key: String
    }

    struct KeyList: Encodable {
        var keys: [KeyView]
    }

    func addRoutes(to group: RouterGroup<KilnRequestContext>) {
        group.get(use: list)
        group.post(use: create)
        group.delete("{id}", use: revoke)
    }

    @Sendable func list(_ request: Request, context: KilnRequestContext) async throws -> Response {
        try JSONBody.response(KeyList(keys: try await keys.list().map(KeyView.init)))
    }

    @Sendable func create(_ request: Request, context: KilnRequestContext) async throws -> Response {
        let body = try await json.decode(CreateRequest.self, from: request, context: context)
        let created = try await keys.create(role: try roles.role(named: body.role), name: body.name, actor: try context.principal().actor)
        let record = created.record
        return try JSONBody.response(
            CreatedKey(id: record.id, name: record.name, role: record.role, createdAt: record.createdAt, key: created.secret),
            status: .created)
    }

    @Sendable func revoke(_ request: Request, context: KilnRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        _ = try await keys.revoke(id: id, actor: try context.principal().actor)
        return Response(status: .noContent)
    }
}
