import Foundation
import Hummingbird
import KilnCore
import KilnHTTPKit
import KilnTracking

/// MLflow's artifact proxy (`/api/2.0/mlflow-artifacts/artifacts/…`): the client maps
/// `mlflow-artifacts:/X` to this base. Uploads stream into the blob store under the upload
/// size limit; paths with `..`, `.`, empty segments or a leading `/` are refused.
struct MLflowArtifactsController {
    let artifacts: ArtifactService
    let maxUploadBytes: Int

    func addRoutes(to group: RouterGroup<KilnRequestContext>) {
        group.get(use: list)
        group.get("**", use: download)
        group.put("**", use: upload)
        group.delete("**", use: delete)
    }

    static let base = "/api/2.0/mlflow-artifacts/artifacts/"

    /// The artifact path from the raw request path (not the router's split, which would hide
    /// empty segments), percent-decoded; `ArtifactService.safePath` then checks it.
    private static func path(_ request: Request) throws -> String {
        let raw = request.uri.path
        guard raw.hasPrefix(base), let decoded = raw.dropFirst(base.count).removingPercentEncoding else {
            throw KilnError.invalidArgument("Invalid artifact path: not percent-encoded UTF-8")
        }
        return decoded
    }

    /// `?path=` names a folder; a file or a missing path lists as `{}` (the client reads a
    /// non-empty listing as "this is a folder").
    @Sendable func list(_ request: Request, context: KilnRequestContext) async throws -> Response {
        let path = request.formQuery["path"] ?? ""
        let entries = try await artifacts.list(path: path)
        guard !entries.isEmpty else { return MLflowJSON.response(MLflowJSON.empty) }
        return MLflowJSON.response(["files": .array(entries.map { entry in
            var object: [String: JSONValue] = ["path": .string(entry.name), "is_dir": .bool(entry.isDirectory)]
            if let size = entry.size { object["file_size"] = .number(Double(size)) }
            return .object(object)
        })])
    }

    @Sendable func download(_ request: Request, context: KilnRequestContext) async throws -> Response {
        let (file, url) = try await artifacts.file(path: try Self.path(request))
        let body = try await FileIO().loadFile(path: url.path, context: context)
        var headers = HTTPFields()
        headers[.contentType] = "application/octet-stream"
        headers[.contentLength] = String(file.size)
        return Response(status: .ok, headers: headers, body: body)
    }

    @Sendable func upload(_ request: Request, context: KilnRequestContext) async throws -> Response {
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > maxUploadBytes {
            throw KilnError(.payloadTooLarge, "upload exceeds the limit of \(maxUploadBytes) bytes", details: ["limit_bytes": .int(maxUploadBytes)])
        }
        _ = try await artifacts.put(path: try Self.path(request), body: request.body)
        return Response(status: .ok)
    }

    @Sendable func delete(_ request: Request, context: KilnRequestContext) async throws -> Response {
        try await artifacts.delete(path: try Self.path(request))
        return MLflowJSON.response(MLflowJSON.empty)
    }
}
