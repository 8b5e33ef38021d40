import Foundation
import KilnAppKit
import KilnCore
import KilnHTTP
import KilnHTTPKit

/// `/openapi.json` as served: the native document with every app's fragment merged in, and the
/// error shape's `code` enum set to the codes this server registers (the platform's and the
/// apps'), so the document lists exactly what the server can answer.
enum ServedOpenAPI {
    static func document(apps: AppList, errorStatuses: ErrorStatusTable) throws -> [UInt8] {
        let fragments = NativeSurface.openAPIFragments + apps.apps.compactMap { app in app.openAPIFragment.map { (source: app.name, json: $0) } }
        var document = try OpenAPIMerge.mergedObject(base: NativeSurface.openAPIDocument, fragments: fragments)
        let codes = JSONValue.array(errorStatuses.codes.map { .string($0.rawValue) })
        document.update(["components", "schemas", "Error", "properties", "error", "properties", "code", "enum"], to: codes)
        return JSONValue.object(document).jsonBytes
    }
}

extension [String: JSONValue] {
    /// Sets the value at a path of object keys, if every object on the way exists.
    fileprivate mutating func update(_ path: [String], to value: JSONValue) {
        guard let first = path.first else { return }
        if path.count == 1 {
            self[first] = value
        } else if case .object(var child)? = self[first] {
            child.update(Array(path.dropFirst()), to: value)
            self[first] = .object(child)
        }
    }
}
