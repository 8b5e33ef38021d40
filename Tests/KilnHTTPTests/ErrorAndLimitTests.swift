import Foundation
import HTTPTypes
import Hummingbird
import KilnCore
import Testing

@Suite struct ErrorAndLimitTests {
    @Test func malformedJSONIsInvalidArgument() async throws {
        try await withLiveServer { server async throws in
            for body in ["{", "not json", "[]", #"{"role": 5}"#, #"{"name": "x"}"#, #"{"role":"superuser"}"#] {
                let response = try await server.json(.post, "/v1/keys", key: server.adminKey, body)
                #expect(response.status == .badRequest, "\(body)")
                #expect(try response.errorCode() == "invalid_argument")
            }
            let blankName = try await server.json(.post, "/v1/keys", key: server.adminKey, #"{"role":"user","name":"  "}"#)
            #expect(blankName.status == .badRequest)
        }
    }

    @Test func wrongContentTypeIsUnsupportedMediaType() async throws {
        try await withLiveServer { server async throws in
            for contentType in ["text/plain", "application/x-www-form-urlencoded"] {
                let response = try await server.request(
                    .post, "/v1/keys", key: server.adminKey, headers: [.contentType: contentType],
                    body: ByteBuffer(string: #"{"role":"user"}"#))
                #expect(response.status == .unsupportedMediaType)
                #expect(try response.errorCode() == "unsupported_media_type")
            }
            let missing = try await server.request(.post, "/v1/keys", key: server.adminKey, body: ByteBuffer(string: "{}"))
            #expect(missing.status == .unsupportedMediaType)
        }
    }

    @Test func oversizeBodiesArePayloadTooLarge() async throws {
        try await withLiveServer(configure: { $0.limits.maxJSONBodyBytes = 1024; $0.limits.maxUploadBytes = 4096 }) { server async throws in
            let json = #"{"role":"user","name":"\#(String(repeating: "a", count: 2000))"}"#
            let response = try await server.json(.post, "/v1/keys", key: server.adminKey, json)
            #expect(response.status == .contentTooLarge)
            #expect(try response.errorCode() == "payload_too_large")

            let upload = try await server.request(.post, "/v1/blobs", key: server.adminKey, body: ByteBuffer(repeating: 7, count: 5000))
            #expect(upload.status == .contentTooLarge)
            #expect(try upload.errorCode() == "payload_too_large")
            let tmp = server.dataDirectory.appendingPathComponent("blobs/tmp")
            #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path).isEmpty)
        }
    }

    @Test func deeplyNestedJSONIsRejectedBeforeDecoding() async throws {
        try await withLiveServer(configure: { $0.limits.maxJSONDepth = 8 }) { server async throws in
            let deep = String(repeating: "[", count: 50) + String(repeating: "]", count: 50)
            let response = try await server.json(.post, "/v1/keys", key: server.adminKey, #"{"role":"user","x":\#(deep)}"#)
            #expect(response.status == .badRequest)
            #expect(try response.errorCode() == "invalid_argument")
            // Brackets inside strings do not count as nesting.
            let inString = try await server.json(
                .post, "/v1/keys", key: server.adminKey, #"{"role":"user","name":"[[[[[[[[[[[[[[[[[[[["}"#)
            #expect(inString.status == .created)
        }
    }

    @Test func unknownRoutesAreNotFoundForAuthenticatedCallers() async throws {
        try await withLiveServer { server async throws in
            let response = try await server.request(.get, "/v1/nothing-here", key: server.adminKey)
            #expect(response.status == .notFound)
            #expect(try response.errorCode() == "not_found")
        }
    }

    @Test func everyResponseCarriesARequestID() async throws {
        try await withLiveServer { server async throws in
            let generated = try await server.request(.get, "/health")
            #expect(generated.headers[HTTPField.Name("X-Request-Id")!]?.count == 16)
            let echoed = try await server.request(.get, "/health", headers: [HTTPField.Name("X-Request-Id")!: "trace-123"])
            #expect(echoed.headers[HTTPField.Name("X-Request-Id")!] == "trace-123")
            let unsafe = try await server.request(.get, "/health", headers: [HTTPField.Name("X-Request-Id")!: "a b\"c"])
            #expect(unsafe.headers[HTTPField.Name("X-Request-Id")!] != "a b\"c")
        }
    }

    @Test func rateLimitAnswers429WithRetryAfter() async throws {
        try await withLiveServer(configure: { $0.limits.rateLimitPerSecond = 0.5; $0.limits.rateLimitBurst = 3 }) { server async throws in
            for _ in 0..<3 {
                #expect(try await server.request(.get, "/openapi.json", key: server.adminKey).status == .ok)
            }
            let limited = try await server.request(.get, "/openapi.json", key: server.adminKey)
            #expect(limited.status == .tooManyRequests)
            #expect(try limited.errorCode() == "rate_limited")
            #expect(limited.headers[.retryAfter].flatMap(Int.init).map { $0 >= 1 } == true)
            // Health checks are never rate limited.
            #expect(try await server.request(.get, "/health").status == .ok)
        }
    }
}
