import KilnHTTPKit
import Hummingbird
import KilnStore

/// Liveness, readiness and Prometheus metrics; these three need no authentication.
struct HealthController {
    let database: KilnDatabase
    let metrics: HTTPMetrics
    let disk: DiskSpace
    let minFreeSpace: Int64

    struct Status: Encodable {
        var status: String
        var reason: String? = nil
        var freeBytes: Int64? = nil

        enum CodingKeys: String, CodingKey {
            case status, reason
            case freeBytes = "free_bytes"
        }
    }

    func addRoutes(to router: Router<KilnRequestContext>) {
        router.get("health", use: health)
        router.get("ready", use: ready)
        router.get("metrics", use: exposition)
    }

    @Sendable func health(_ request: Request, context: KilnRequestContext) throws -> Response {
        try JSONBody.response(Status(status: "ok"))
    }

    /// Ready once migrations ran (they finish before the server starts), the store answers and
    /// the data directory's volume has at least `min_free_space` free — so that a load balancer
    /// stops sending writes before the disk is full.
    @Sendable func ready(_ request: Request, context: KilnRequestContext) async throws -> Response {
        do {
            try await database.ping()
        } catch {
            context.logger.warning("readiness check failed", metadata: ["error": "\(error)"])
            return try JSONBody.response(Status(status: "unavailable", reason: "the store does not answer"), status: .serviceUnavailable)
        }
        let free = disk.availableBytes()
        if let free, free < minFreeSpace {
            return try JSONBody.response(Status(status: "unavailable", reason: "free space on the data directory is below min_free_space", freeBytes: free),
                                         status: .serviceUnavailable)
        }
        return try JSONBody.response(Status(status: "ready", freeBytes: free))
    }

    @Sendable func exposition(_ request: Request, context: KilnRequestContext) -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: metrics.exposition(dataDirectoryFreeBytes: disk.availableBytes()))))
    }
}
