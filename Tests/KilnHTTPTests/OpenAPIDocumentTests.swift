import Dicom
import Foundation
import KilnCore
import Nifti
import Testing
import ZlibCodec

@Suite struct OpenAPIDocumentTests {
    /// The served document (native + every installed app) lists exactly the codes the server
    /// can send: the platform's and those of the engines the imaging app takes uploads for.
    @Test func errorCodeEnumListsEveryErrorCode() async throws {
        try await withLiveServer { server in
            let response = try await server.request(.get, "/openapi.json", key: server.adminKey)
            let document = try response.jsonObject()
            let schemas = (document["components"] as! [String: Any])["schemas"] as! [String: Any]
            let error = ((schemas["Error"] as! [String: Any])["properties"] as! [String: Any])["error"] as! [String: Any]
            let code = (error["properties"] as! [String: Any])["code"] as! [String: Any]
            let expected = ErrorCode.platform + ErrorCode.dicom + ErrorCode.nifti + [.invalidZip]
            #expect(Set(code["enum"] as! [String]) == Set(expected.map(\.rawValue)))
            let paths = try #require(document["paths"] as? [String: Any])
            for path in ["/v1/jobs", "/v1/feedback", "/api/upload", "/predict/ct_classification"] {
                #expect(paths[path] != nil, "\(path) is documented")
            }
        }
    }
}
