import Foundation
import Hummingbird
import KilnAppKit
import KilnCore
import KilnHTTPKit
import KilnJobs
import KilnStore
import SQLKit

/// The smallest app: one setting, one migration, one error code, one role, one job kind, one
/// route and one OpenAPI fragment. `KilnServerTests` starts a server with it in the app list
/// and nothing else changed, which is the proof that an app plugs in through `KilnApp` alone.
///
/// `POST /example/greetings` with `{"name": "…"}` stores a greeting (table `example_greetings`)
/// and queues an `example.shout` job that upper-cases it; `name` longer than `max_name`
/// (setting `example_max_name`) is refused with the app's code `name_too_long` (422).
public struct ExampleApp: KilnApp {
    public init() {}

    public var name: String { "example" }

    public struct Settings: ConfigSection {
        public var maxName = 16
        public init() {}
    }

    public var settings: [ConfigSetting] {
        [.section("example_max_name", "Example app: longest name accepted (default 16).") { (section: inout Settings, value) in
            section.maxName = try ConfigSetting.integer(value, in: 1...1000)
        }]
    }

    public var migrations: [MigrationSet] {
        [MigrationSet(name: "example", migrations: [
            Migration(version: 10_001, name: "example greetings") { db in
                try await db.create(table: "example_greetings")
                    .column("id", type: .text, .primaryKey(autoIncrement: false))
                    .column("text", type: .text, .notNull)
                    .run()
            },
        ])]
    }

    public static let nameTooLong = ErrorCode("name_too_long")

    public var errorCodes: [ErrorCode: HTTPResponse.Status] { [Self.nameTooLong: .unprocessableContent] }

    public static let greeter = Role("greeter")

    public var roles: [AppRole] { [AppRole(Self.greeter)] }

    public var openAPIFragment: String? {
        #"""
        {"tags": [{"name": "Example app", "description": "A test-only app."}],
         "paths": {"/example/greetings": {"post": {"operationId": "exampleGreet", "tags": ["Example app"], "summary": "Store a greeting and queue a job.",
           "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ExampleGreeting"}}}},
           "responses": {"202": {"description": "Stored and queued."}}}}},
         "components": {"schemas": {"ExampleGreeting": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}}}}
        """#
    }

    struct Shout: JobHandler {
        static let kind = "example.shout"
        struct Parameters: Codable, Sendable { var text: String }
        struct Output: Codable, Sendable { var text: String }
        func run(_ parameters: Parameters, context: JobContext) async throws -> Output {
            Output(text: parameters.text.uppercased())
        }
    }

    struct GreetRequest: Decodable { var name: String }

    public func build(_ platform: KilnPlatform) async throws -> AppParts {
        let maxName = platform.settings(Settings.self).maxName
        let db = platform.database.sql
        let json = platform.json
        return AppParts(jobKinds: [RegisteredJobKind(Shout(), workers: 1)]) { routes in
            let jobs = routes.jobs
            routes.group("example").post("greetings") { request, context -> Response in
                let body = try await json.decode(GreetRequest.self, from: request, context: context)
                guard body.name.count <= maxName else {
                    throw KilnError(Self.nameTooLong, "name is longer than \(maxName) characters")
                }
                let id = UUID().uuidString
                let text = "hello, \(body.name)"
                try await db.insert(into: "example_greetings").columns("id", "text").values(SQLBind(id), SQLBind(text)).run()
                let (job, _) = try await jobs.submit(
                    kind: Shout.kind, parameters: try JobCoding.encode(Shout.Parameters(text: text)), owner: try context.principal().actor)
                return JSONBody.response(json: .object(["id": .string(id), "job_id": .string(job.id)]), status: .accepted)
            }
        }
    }
}
