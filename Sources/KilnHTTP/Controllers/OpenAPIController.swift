import Hummingbird
import KilnHTTPKit

/// Serves `/openapi.json`: the native document with every installed app's fragment merged in.
struct OpenAPIController {
    let document: [UInt8]

    func addRoutes(to router: Router<KilnRequestContext>) {
        let body = ByteBuffer(bytes: document)
        router.get("openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
        }
    }
}
