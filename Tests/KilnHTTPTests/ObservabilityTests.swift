import Foundation
import Hummingbird
import Testing

@Suite struct ObservabilityTests {
    @Test func metricsCountRequestsByRouteTemplateAndStatus() async throws {
        try await withLiveServer { server async throws in
            _ = try await server.request(.get, "/health")
            _ = try await server.request(.get, "/v1/blobs/\(String(repeating: "a", count: 64))", key: server.adminKey)
            let text = String(buffer: try await server.request(.get, "/metrics").body)
            #expect(text.contains(#"kiln_http_requests_total{route="/health",method="GET",status="200"} 1"#))
            #expect(text.contains(#"kiln_http_requests_total{route="/v1/blobs/{sha256}",method="GET",status="404"} 1"#))
            #expect(text.contains("kiln_http_request_duration_seconds_bucket"))
            #expect(text.contains("kiln_http_requests_in_flight"))
            let rss = text.split(separator: "\n").first { $0.hasPrefix("kiln_process_resident_memory_bytes ") }
            let bytes = rss.flatMap { Double($0.split(separator: " ").last!) } ?? 0
            #expect(bytes > 1_000_000)
        }
    }

    @Test func readinessReportsTheStore() async throws {
        try await withLiveServer { server async throws in
            let response = try await server.request(.get, "/ready")
            #expect(response.status == .ok)
            #expect(try response.jsonObject()["status"] as? String == "ready")
        }
    }

    @Test func openAPIDocumentListsEveryNativeRoute() async throws {
        try await withLiveServer { server async throws in
            let document = try await server.request(.get, "/openapi.json", key: server.adminKey).jsonObject()
            #expect(document["openapi"] as? String == "3.1.0")
            let paths = try #require(document["paths"] as? [String: Any])
            for path in ["/health", "/ready", "/metrics", "/openapi.json", "/v1/keys", "/v1/keys/{id}", "/v1/audit",
                         "/v1/blobs", "/v1/blobs/{sha256}"] {
                #expect(paths[path] != nil, "\(path)")
            }
        }
    }
}
