import Foundation
import KilnCore
import KilnStore
import Logging

/// A kind of durable work. Registered in the composition root; the parameters are decoded (and
/// so validated) before a job is queued, and again when a worker runs it.
public protocol JobHandler: Sendable {
    associatedtype Parameters: Codable & Sendable
    associatedtype Output: Codable & Sendable

    /// The job kind this handler runs, e.g. `inference`.
    static var kind: String { get }
    func run(_ parameters: Parameters, context: JobContext) async throws -> Output
}

/// A failure a handler reports with a stable code; `retryable` failures are retried with
/// exponential backoff until the job's attempts are used up.
public struct JobFailure: Error, Sendable {
    public var code: String
    public var message: String
    public var retryable: Bool

    public init(code: String, message: String, retryable: Bool = false) {
        self.code = code
        self.message = message
        self.retryable = retryable
    }
}

/// What a running handler can do: report progress, notice cancellation, store blobs, log.
public struct JobContext: Sendable {
    public let job: JobRecord
    public let logger: Logger
    public let blobs: BlobStore
    let progressSink: @Sendable (Double, String?) async -> Void

    /// Records progress (0…1) with an optional message; subscribers see it at once, the store at
    /// the next heartbeat.
    public func progress(_ fraction: Double, _ message: String? = nil) async {
        await progressSink(min(1, max(0, fraction)), message)
    }

    /// Throws `CancellationError` once the job was cancelled (cooperative cancellation).
    public func checkCancellation() throws {
        try Task.checkCancellation()
    }

    /// The bytes of one of the job's input blobs.
    public func input(_ sha256: String) throws -> Data {
        guard let url = blobs.fileURL(sha256: sha256) else {
            throw JobFailure(code: "input_missing", message: "input blob \(sha256) is gone")
        }
        return try Data(contentsOf: url)
    }

    /// Stores a result blob; the job keeps a reference to it.
    public func store(_ bytes: [UInt8]) async throws -> BlobRef {
        try await blobs.write(bytes: bytes)
    }
}

/// A handler with its types erased, as the worker pool holds it.
public struct RegisteredJobKind: Sendable {
    public let kind: String
    public let workers: Int
    public let timeout: Duration
    public let maxAttempts: Int
    let validate: @Sendable (String) throws -> Void
    let run: @Sendable (String, JobContext) async throws -> (json: String, blobs: [String])

    /// - Parameters:
    ///   - workers: concurrent jobs of this kind in this process.
    ///   - timeout: a running job is failed with `timeout` after this long.
    public init<Handler: JobHandler>(
        _ handler: Handler, workers: Int = 2, timeout: Duration = .seconds(600), maxAttempts: Int = 3,
        resultBlobs: @escaping @Sendable (Handler.Output) -> [String] = { _ in [] }
    ) {
        kind = Handler.kind
        self.workers = workers
        self.timeout = timeout
        self.maxAttempts = maxAttempts
        validate = { text in _ = try JobCoding.decode(Handler.Parameters.self, from: text) }
        run = { text, context in
            let parameters = try JobCoding.decode(Handler.Parameters.self, from: text)
            let output = try await handler.run(parameters, context: context)
            return (try JobCoding.encode(output), resultBlobs(output))
        }
    }
}

/// JSON for job parameters and results: snake_case keys, ISO 8601 dates.
public enum JobCoding {
    public static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    public static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(T.self, from: Data(text.utf8))
        } catch {
            throw KilnError.invalidArgument("job parameters do not match the job kind: \(error)")
        }
    }
}
