import Hummingbird
import KilnCore
import Logging

/// Records request count and duration by route template and status, tracks requests in
/// flight, and writes one access-log line per request (never bodies or credentials).
public struct ObservabilityMiddleware: RouterMiddleware {
    public init(metrics: HTTPMetrics, accessLog: Bool) {
        self.metrics = metrics
        self.accessLog = accessLog
    }

    public typealias Context = KilnRequestContext

    public let metrics: HTTPMetrics
    public let accessLog: Bool

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        metrics.requestStarted()
        var status = 500
        defer {
            let elapsed = ContinuousClock.now - start
            let route = context.endpointPath ?? "unknown"
            metrics.requestFinished(route: route, method: request.method.rawValue, status: status, duration: elapsed)
            if accessLog {
                context.logger.info("request", metadata: [
                    "request_id": "\(context.requestID)", "method": "\(request.method.rawValue)", "route": "\(route)",
                    "status": "\(status)", "duration_ms": "\(elapsed.millisecondsValue)",
                ])
            }
        }
        let response = try await next(request, context)
        status = response.status.code
        return response
    }
}
