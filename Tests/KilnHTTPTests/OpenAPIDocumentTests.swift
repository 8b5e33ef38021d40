import Foundation
@testable import KilnHTTP
import KilnCore
import Testing

@Suite struct OpenAPIDocumentTests {
    /// The documented error codes are exactly the ones the server can send.
    @Test func errorCodeEnumListsEveryErrorCode() throws {
        let document = try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as! [String: Any]
        let schemas = (document["components"] as! [String: Any])["schemas"] as! [String: Any]
        let error = ((schemas["Error"] as! [String: Any])["properties"] as! [String: Any])["error"] as! [String: Any]
        let code = (error["properties"] as! [String: Any])["code"] as! [String: Any]
        #expect(Set(code["enum"] as! [String]) == Set(ErrorCode.allCases.map(\.rawValue)))
    }
}
