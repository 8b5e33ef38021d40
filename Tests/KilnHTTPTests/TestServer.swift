import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KilnCore
import CTRHTTP
import ImagingHTTP
import KilnAppKit
import KilnServer
import Logging
import Testing

/// Builds the real application on a loopback port with a temporary data directory and runs
/// `body` against it over HTTP.
func withLiveServer<T>(
    configure: (inout KilnConfig) -> Void = { _ in },
    _ body: @Sendable (TestServer) async throws -> T
) async throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-test-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    var config = try ConfigLoader.load(file: nil, environment: [:], flags: [:], settings: testApps.settings)
    config.port = 0
    config.dataDirectory = directory.path
    config.accessLog = false
    configure(&config)
    var logger = Logger(label: "kiln-test")
    logger.logLevel = .warning
    let built = try await buildApplication(config: config, apps: testApps, logger: logger)
    let adminKey = try #require(built.bootstrapAdminKey)
    return try await built.application.test(.live) { client in
        try await body(TestServer(client: client, adminKey: adminKey, dataDirectory: directory))
    }
}

/// The apps the `kiln` executable installs.
let testApps = AppList([ImagingHTTPApp(), CTRHTTPApp()])

struct TestServer: Sendable {
    let client: any TestClientProtocol
    let adminKey: String
    let dataDirectory: URL

    func request(
        _ method: HTTPRequest.Method, _ uri: String, key: String? = nil, headers: HTTPFields = [:], body: ByteBuffer? = nil
    ) async throws -> TestResponse {
        var headers = headers
        if let key { headers[.authorization] = "Bearer \(key)" }
        return try await client.execute(uri: uri, method: method, headers: headers, body: body)
    }

    func json(
        _ method: HTTPRequest.Method, _ uri: String, key: String?, _ text: String
    ) async throws -> TestResponse {
        try await request(method, uri, key: key, headers: [.contentType: "application/json"], body: ByteBuffer(string: text))
    }

    /// Creates a key through the API and returns its secret and id.
    func createKey(role: Role) async throws -> (secret: String, id: String) {
        let response = try await json(.post, "/v1/keys", key: adminKey, #"{"role":"\#(role.rawValue)"}"#)
        #expect(response.status == .created)
        let object = try response.jsonObject()
        return (try #require(object["key"] as? String), try #require(object["id"] as? String))
    }
}

extension TestResponse {
    func jsonObject() throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any])
    }

    /// Checks Kiln's error shape and returns the code.
    func errorCode() throws -> String {
        let object = try jsonObject()
        let error = try #require(object["error"] as? [String: Any])
        #expect(error["message"] is String)
        #expect(error["details"] is [String: Any])
        #expect((object["request_id"] as? String) == headers[HTTPField.Name("X-Request-Id")!])
        return try #require(error["code"] as? String)
    }

    func errorMessage() throws -> String {
        let error = try #require(try jsonObject()["error"] as? [String: Any])
        return try #require(error["message"] as? String)
    }
}

extension Data {
    init(buffer: ByteBuffer) {
        self.init(buffer.readableBytesView)
    }
}
