import Hummingbird

/// Serves the OpenAPI document of the native API.
struct OpenAPIController {
    func addRoutes(to router: Router<KilnRequestContext>) {
        let body = ByteBuffer(string: OpenAPIDocument.json)
        router.get("openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
        }
    }
}
