import Hummingbird
import KilnCore

/// Refuses, before reading it, a request body that declares more bytes than the data
/// directory's volume has free: `507 insufficient_storage` at once, instead of streaming the
/// upload until the disk fills. Bodies of unknown length are checked as they are written.
public struct StorageGuardMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Bodies smaller than this are not checked (a JSON request fits anywhere the database does).
    static var threshold: Int64 { 1 << 20 }

    let availableBytes: @Sendable () -> Int64?

    public init(availableBytes: @escaping @Sendable () -> Int64?) {
        self.availableBytes = availableBytes
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let declared = request.headers[.contentLength].flatMap(Int64.init), declared >= Self.threshold,
           let available = availableBytes(), declared > available {
            throw KilnError(.insufficientStorage, "the server's storage cannot hold this upload; nothing was stored",
                            details: ["declared_bytes": .number(Double(declared))])
        }
        return try await next(request, context)
    }
}
