import Foundation
import Hummingbird
import KilnCore
import KilnHTTPKit
import KilnStore

/// `/v1/blobs`: content-addressed uploads and downloads.
///
/// An upload streams straight to disk under the size cap; the response names the blob by its
/// SHA-256. Any authenticated caller may upload and read; deleting is for admins and refused
/// while something still references the blob.
struct BlobsController {
    let blobs: BlobStore
    let references: any BlobReferenceRepository
    let limits: Limits
    let audit: any AuditLogRepository

    struct Uploaded: Encodable {
        var sha256: String
        var size: Int64
        /// False when identical content was already stored.
        var created: Bool
    }

    func addRoutes(to group: RouterGroup<KilnRequestContext>, adminOnly: RequireRoleMiddleware) {
        group.post(use: upload)
        group.get("{sha256}", use: download)
        group.group().add(middleware: adminOnly).delete("{sha256}", use: delete)
    }

    @Sendable func upload(_ request: Request, context: KilnRequestContext) async throws -> Response {
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limits.maxUploadBytes {
            throw KilnError(.payloadTooLarge, "upload exceeds the limit of \(limits.maxUploadBytes) bytes",
                            details: ["limit_bytes": .int(limits.maxUploadBytes)])
        }
        let (blob, created) = try await blobs.write(request.body, limit: limits.maxUploadBytes)
        var headers = HTTPFields()
        headers[.location] = "/v1/blobs/\(blob.sha256)"
        return try JSONBody.response(
            Uploaded(sha256: blob.sha256, size: blob.size, created: created),
            status: created ? .created : .ok, headers: headers)
    }

    @Sendable func download(_ request: Request, context: KilnRequestContext) async throws -> Response {
        let digest = try Self.digest(context)
        guard let url = blobs.fileURL(sha256: digest) else {
            throw KilnError.notFound("no blob \(digest)")
        }
        let body = try await FileIO().loadFile(path: url.path, context: context)
        var headers = HTTPFields()
        headers[.contentType] = "application/octet-stream"
        headers[.eTag] = "\"\(digest)\""
        if let size = blobs.size(sha256: digest) { headers[.contentLength] = String(size) }
        return Response(status: .ok, headers: headers, body: body)
    }

    @Sendable func delete(_ request: Request, context: KilnRequestContext) async throws -> Response {
        let digest = try Self.digest(context)
        guard blobs.fileURL(sha256: digest) != nil else {
            throw KilnError.notFound("no blob \(digest)")
        }
        let referenceCount = try await references.referenceCount(sha256: digest)
        guard referenceCount == 0 else {
            throw KilnError.conflict("blob \(digest) is still referenced", details: ["references": .int(referenceCount)])
        }
        try blobs.delete(sha256: digest)
        try await audit.append(AuditEntry(at: Date(), actor: try context.principal().actor, action: "blob.delete", target: digest))
        return Response(status: .noContent)
    }

    private static func digest(_ context: KilnRequestContext) throws -> String {
        let digest = try context.parameters.require("sha256")
        guard BlobStore.isValidDigest(digest) else {
            throw KilnError.invalidArgument("'\(digest.prefix(80))' is not a SHA-256 digest (64 lower-case hex characters)")
        }
        return digest
    }
}
