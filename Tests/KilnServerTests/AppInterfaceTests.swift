import ExampleApp
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KilnAppKit
import KilnCore
import KilnServer
import Logging
import Testing

/// The example app is wired by the app list alone: its setting loads, its migration runs, its
/// route answers, its job kind runs, its error code has its status, its role is accepted and its
/// OpenAPI fragment is served.
@Suite struct AppInterfaceTests {
    let apps = AppList([ExampleApp()])

    func withServer(flags: [String: String] = [:], _ body: @Sendable (any TestClientProtocol, String) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-apps-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var config = try ConfigLoader.load(file: nil, environment: [:], flags: flags, settings: apps.settings)
        config.port = 0
        config.dataDirectory = directory.path
        config.accessLog = false
        var logger = Logger(label: "kiln-test")
        logger.logLevel = .warning
        let built = try await buildApplication(config: config, apps: apps, logger: logger)
        let key = try #require(built.bootstrapAdminKey)
        try await built.application.test(.live) { client in try await body(client, key) }
    }

    func post(_ client: any TestClientProtocol, _ uri: String, key: String, _ json: String) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .post, headers: [.authorization: "Bearer \(key)", .contentType: "application/json"],
                                 body: ByteBuffer(string: json))
    }

    func object(_ response: TestResponse) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    @Test func theRouteTheJobAndTheMigrationWork() async throws {
        try await withServer { client, key in
            let response = try await post(client, "/example/greetings", key: key, #"{"name":"kiln"}"#)
            #expect(response.status == .accepted)
            let jobID = try #require(try object(response)["job_id"] as? String)
            var state = ""
            for _ in 0..<100 where state != "succeeded" {
                let job = try await client.execute(uri: "/v1/jobs/\(jobID)", method: .get, headers: [.authorization: "Bearer \(key)"])
                state = try object(job)["state"] as? String ?? ""
                if state != "succeeded" { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(state == "succeeded")
            let result = try await client.execute(uri: "/v1/jobs/\(jobID)/result", method: .get, headers: [.authorization: "Bearer \(key)"])
            let output = try #require(try object(result)["result"] as? [String: Any])
            #expect(output["text"] as? String == "HELLO, KILN")
        }
    }

    @Test func theSettingAndTheErrorCodeApply() async throws {
        try await withServer(flags: ["example_max_name": "3"]) { client, key in
            let response = try await post(client, "/example/greetings", key: key, #"{"name":"kiln"}"#)
            #expect(response.status == .unprocessableContent)
            let error = try #require(try object(response)["error"] as? [String: Any])
            #expect(error["code"] as? String == "name_too_long")
        }
    }

    @Test func theRoleIsAcceptedAndUnknownRolesAreNot() async throws {
        try await withServer { client, key in
            let greeter = try await post(client, "/v1/keys", key: key, #"{"role":"greeter"}"#)
            #expect(greeter.status == .created)
            // The imaging app's role is not installed here.
            let clinician = try await post(client, "/v1/keys", key: key, #"{"role":"clinician"}"#)
            #expect(clinician.status == .badRequest)
        }
    }

    @Test func theFragmentIsServedAndTheErrorEnumListsTheAppsCode() async throws {
        try await withServer { client, key in
            let response = try await client.execute(uri: "/openapi.json", method: .get, headers: [.authorization: "Bearer \(key)"])
            let document = try object(response)
            let paths = try #require(document["paths"] as? [String: Any])
            #expect(paths["/example/greetings"] != nil)
            #expect(paths["/v1/jobs"] != nil)
            // No other app is installed, so none of their paths are described.
            #expect(paths["/predict/ct_classification"] == nil)
            let components = try #require(document["components"] as? [String: Any])
            let schemas = try #require(components["schemas"] as? [String: Any])
            let error = try #require(schemas["Error"] as? [String: Any])
            let inner = try #require((error["properties"] as? [String: Any])?["error"] as? [String: Any])
            let code = try #require((inner["properties"] as? [String: Any])?["code"] as? [String: Any])
            let codes = Set(try #require(code["enum"] as? [String]))
            #expect(codes.contains("name_too_long"))
            #expect(codes.contains("invalid_argument"))
            #expect(!codes.contains("not_dicom"))
        }
    }

    @Test func aSettingOfAnAppNotInstalledIsRefused() throws {
        #expect(throws: KilnError.self) {
            try ConfigLoader.load(file: nil, environment: [:], flags: ["example_max_name": "3"], settings: AppList([]).settings)
        }
    }

    @Test func twoAppsWithOneNameOrOneMigrationVersionAreRefused() throws {
        #expect(throws: KilnError.self) { try AppList([ExampleApp(), ExampleApp()]).checkNames() }
        #expect(throws: KilnError.self) { try AppList([ExampleApp(), ExampleApp()]).migrator() }
    }
}
