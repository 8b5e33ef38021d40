import Hummingbird
import KilnCore
import KilnHTTPKit
import NIOCore

/// An Open Inference Protocol request body as received over HTTP, for `/v2/…/infer` and
/// `/v1/models/{model}/infer-async`: the bytes (under the size cap) and, with the binary
/// extension, the length of the JSON header that precedes the tensor bytes.
struct InferenceRequestBody {
    var bytes: ByteBuffer
    var headerLength: Int?

    static func read(_ request: Request, limit: Int) async throws -> InferenceRequestBody {
        var request = request
        let bytes: ByteBuffer
        do {
            bytes = try await request.collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw KilnError(.payloadTooLarge, "inference request exceeds \(limit) bytes", details: ["limit_bytes": .int(limit)])
        }
        let headerLength = try request.headers[.inferenceHeaderContentLength].map { text -> Int in
            guard let value = Int(text), value >= 0, value <= bytes.readableBytes else {
                throw KilnError.invalidArgument("Inference-Header-Content-Length must be an integer within the body (\(bytes.readableBytes) bytes)")
            }
            return value
        }
        return InferenceRequestBody(bytes: bytes, headerLength: headerLength)
    }
}

/// The model a request names: `{model}` may be `name@alias`, `{version}` a number or an alias.
/// Path parameters arrive percent-encoded (tritonclient sends `@` as `%40`).
struct ModelReference {
    var model: String
    var version: String?

    init(_ context: KilnRequestContext) throws {
        let model = try context.parameters.require("model")
        self.model = model.removingPercentEncoding ?? model
        self.version = context.parameters.get("version").map { $0.removingPercentEncoding ?? $0 }
    }

    /// True when the reference picks one version rather than the model's newest.
    var namesAVersion: Bool { version != nil || model.contains("@") }
}
