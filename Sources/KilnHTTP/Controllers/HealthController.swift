import KilnHTTPKit
import Hummingbird
import KilnStore

/// Liveness, readiness and Prometheus metrics; these three need no authentication.
struct HealthController {
    let database: KilnDatabase
    let metrics: HTTPMetrics

    struct Status: Encodable {
        var status: String
    }

    func addRoutes(to router: Router<KilnRequestContext>) {
        router.get("health", use: health)
        router.get("ready", use: ready)
        router.get("metrics", use: exposition)
    }

    @Sendable func health(_ request: Request, context: KilnRequestContext) throws -> Response {
        try JSONBody.response(Status(status: "ok"))
    }

    /// Ready once migrations ran (they finish before the server starts) and the store answers.
    @Sendable func ready(_ request: Request, context: KilnRequestContext) async throws -> Response {
        do {
            try await database.ping()
        } catch {
            context.logger.warning("readiness check failed", metadata: ["error": "\(error)"])
            return try JSONBody.response(Status(status: "unavailable"), status: .serviceUnavailable)
        }
        return try JSONBody.response(Status(status: "ready"))
    }

    @Sendable func exposition(_ request: Request, context: KilnRequestContext) -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
    }
}
