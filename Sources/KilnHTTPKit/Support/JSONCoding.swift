import Foundation
import Hummingbird
import NIOCore
import KilnCore

/// Reading JSON request bodies under Kiln's limits, and writing JSON responses.
public struct JSONBody: Sendable {
    public let limits: Limits

    public init(limits: Limits) {
        self.limits = limits
    }

    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    /// Checks the media type, size and nesting depth, then decodes.
    public func decode<T: Decodable>(_ type: T.Type, from request: Request, context: KilnRequestContext) async throws -> T {
        let mediaType = request.headers[.contentType].flatMap(MediaType.init(from:))
        guard let mediaType, mediaType.isType(.applicationJson) else {
            throw KilnError(.unsupportedMediaType, "request body must be application/json",
                            details: ["content_type": .string(request.headers[.contentType] ?? "")])
        }
        let bytes = try await collect(request)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(T.self, from: Data(bytes))
    }

    /// Reads the body under the size limit and checks its nesting depth (without parsing).
    public func collect(_ request: Request) async throws -> ByteBufferView {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limits.maxJSONBodyBytes)
        } catch is NIOTooManyBytesError {
            throw KilnError(.payloadTooLarge, "JSON body exceeds \(limits.maxJSONBodyBytes) bytes",
                            details: ["limit_bytes": .int(limits.maxJSONBodyBytes)])
        }
        let bytes = buffer.readableBytesView
        guard JSONDepth.maximum(of: bytes) <= limits.maxJSONDepth else {
            throw KilnError.invalidArgument("JSON nesting exceeds the limit of \(limits.maxJSONDepth)",
                                            details: ["limit_depth": .int(limits.maxJSONDepth)])
        }
        return bytes
    }

    /// A response (200 unless told) with a `JSONValue` written as it is (keys untouched, no `JSONEncoder`): for
    /// surfaces whose field names are fixed by others (MLflow, the seeds' apps).
    public static func response(json value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: value.jsonBytes)))
    }

    public static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        let data = try encoder.encode(value)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Measures JSON nesting without parsing, so that a deeply nested body is refused before the
/// decoder recurses into it.
public enum JSONDepth {
    public static func maximum(of bytes: some Sequence<UInt8>) -> Int {
        var depth = 0
        var deepest = 0
        var inString = false
        var escaped = false
        for byte in bytes {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                deepest = max(deepest, depth)
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        return deepest
    }
}
