import Foundation
import KilnCore
import KilnHTTPKit
import Testing

@Suite struct OpenAPIMergeTests {
    static let base = #"""
    {
     "openapi": "3.1.0",
     "info": {"title": "Kiln native API", "version": "0.1.0"},
     "security": [{"bearer": []}],
     "paths": {
      "/health": {"get": {"responses": {"200": {"description": "Alive."}}}},
      "/v1/jobs": {"get": {"responses": {"default": {"$ref": "#/components/responses/Error"}}}}
     },
     "tags": [{"name": "Jobs"}],
     "components": {
      "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
      "schemas": {"Error": {"type": "object"}},
      "responses": {"Error": {"description": "An error.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}
     }
    }
    """#

    static let ctr = #"""
    {
     "paths": {
      "/api/upload": {"post": {"tags": ["CTR app"], "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/CTRUpload"}}}}, "default": {"$ref": "#/components/responses/Error"}}}},
      "/api/train": {"post": {"tags": ["CTR app"], "responses": {"202": {"description": "Started."}}}}
     },
     "tags": [{"name": "CTR app", "description": "The CTR app's routes."}],
     "components": {"schemas": {"CTRUpload": {"type": "object", "properties": {"rows": {"type": "integer", "minimum": 1}}}}}
    }
    """#

    static let imaging = #"""
    {
     "paths": {"/predict/ct_classification": {"post": {"tags": ["Imaging app"], "responses": {"422": {"$ref": "#/components/responses/UnprocessableImage"}}}}},
     "tags": [{"name": "Imaging app"}],
     "components": {
      "schemas": {"SegmentationTask": {"type": "object"}},
      "responses": {"UnprocessableImage": {"description": "Cannot be used.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}
     }
    }
    """#

    static func merged(_ fragments: [(source: String, json: String)]) throws -> JSONValue {
        let data = try OpenAPIMerge.merge(base: base, fragments: fragments)
        return try JSONDecoder().decode(JSONValue.self, from: data)
    }

    static func keys(_ value: JSONValue?, _ path: String...) -> Set<String> {
        guard case .object(let object)? = lookup(value, path) else { return [] }
        return Set(object.keys)
    }

    static func lookup(_ value: JSONValue?, _ path: [String]) -> JSONValue? {
        var current = value
        for key in path {
            guard case .object(let object)? = current else { return nil }
            current = object[key]
        }
        return current
    }

    @Test func pathsAreUnited() throws {
        let document = try Self.merged([("ctr", Self.ctr), ("imaging", Self.imaging)])
        #expect(Self.keys(document, "paths") == ["/health", "/v1/jobs", "/api/upload", "/api/train", "/predict/ct_classification"])
        // The fragment's operation arrives whole, $refs untouched.
        #expect(Self.lookup(document, ["paths", "/api/upload", "post", "responses", "default", "$ref"]) == "#/components/responses/Error")
        // Everything else comes from the base alone.
        #expect(Self.lookup(document, ["openapi"]) == "3.1.0")
        #expect(Self.lookup(document, ["info", "title"]) == "Kiln native API")
        #expect(Self.lookup(document, ["security"]) == .array([.object(["bearer": .array([])])]))
    }

    @Test func schemasAndOtherComponentsAreUnited() throws {
        let document = try Self.merged([("ctr", Self.ctr), ("imaging", Self.imaging)])
        #expect(Self.keys(document, "components", "schemas") == ["Error", "CTRUpload", "SegmentationTask"])
        #expect(Self.keys(document, "components", "responses") == ["Error", "UnprocessableImage"])
        #expect(Self.keys(document, "components", "securitySchemes") == ["bearer"])
        #expect(Self.lookup(document, ["components", "schemas", "CTRUpload", "properties", "rows", "minimum"]) == .number(1))
    }

    @Test func tagsAreUnitedInOrder() throws {
        let document = try Self.merged([("ctr", Self.ctr), ("imaging", Self.imaging)])
        guard case .array(let tags)? = Self.lookup(document, ["tags"]) else {
            Issue.record("no tags in the merged document")
            return
        }
        #expect(tags.map { Self.lookup($0, ["name"]) } == ["Jobs", "CTR app", "Imaging app"])
        #expect(Self.lookup(tags[1], ["description"]) == "The CTR app's routes.")
    }

    @Test func aPathDefinedTwiceIsAnError() throws {
        let clash = #"{"paths": {"/health": {"get": {"responses": {}}}}}"#
        let error = try #require(throws: KilnError.self) {
            _ = try OpenAPIMerge.merge(base: Self.base, fragments: [("ctr", Self.ctr), ("imaging", clash)])
        }
        #expect(error.code == .invalidArgument)
        #expect(error.message.contains("/health"))
        #expect(error.message.contains("the base document"))
        #expect(error.message.contains("imaging"))
        #expect(error.details["key"] == "/health")
    }

    @Test func aSchemaDefinedTwiceIsAnError() throws {
        let clash = #"{"paths": {}, "components": {"schemas": {"CTRUpload": {"type": "string"}}}}"#
        let error = try #require(throws: KilnError.self) {
            _ = try OpenAPIMerge.merge(base: Self.base, fragments: [("ctr", Self.ctr), ("imaging", clash)])
        }
        #expect(error.code == .invalidArgument)
        #expect(error.message.contains("CTRUpload"))
        #expect(error.message.contains("ctr"))
        #expect(error.message.contains("imaging"))
        #expect(error.details["sources"] == .array(["ctr", "imaging"]))

        // A schema of the base counts too.
        let shadow = #"{"components": {"schemas": {"Error": {"type": "string"}}}}"#
        let baseError = try #require(throws: KilnError.self) {
            _ = try OpenAPIMerge.merge(base: Self.base, fragments: [("imaging", shadow)])
        }
        #expect(baseError.message.contains("Error"))
        #expect(baseError.message.contains("the base document"))
    }

    @Test func aTagDefinedTwiceIsAnError() throws {
        let clash = #"{"paths": {}, "tags": [{"name": "CTR app"}]}"#
        let error = try #require(throws: KilnError.self) {
            _ = try OpenAPIMerge.merge(base: Self.base, fragments: [("ctr", Self.ctr), ("other", clash)])
        }
        #expect(error.message.contains("CTR app"))
        #expect(error.message.contains("ctr"))
        #expect(error.message.contains("other"))
    }

    @Test func aFragmentHoldsOnlyPathsTagsAndComponents() throws {
        let error = try #require(throws: KilnError.self) {
            _ = try OpenAPIMerge.merge(base: Self.base, fragments: [("ctr", #"{"paths": {}, "info": {"title": "x"}}"#)])
        }
        #expect(error.message.contains("info"))
        #expect(throws: KilnError.self) {
            _ = try OpenAPIMerge.merge(base: Self.base, fragments: [("ctr", "{not json")])
        }
    }

    @Test func outputIsDeterministicWithSortedKeys() throws {
        let first = try OpenAPIMerge.merge(base: Self.base, fragments: [("ctr", Self.ctr), ("imaging", Self.imaging)])
        let second = try OpenAPIMerge.merge(base: Self.base, fragments: [("ctr", Self.ctr), ("imaging", Self.imaging)])
        #expect(first == second)
        // Keys sorted at every level, slashes not escaped.
        let unsorted = #"{"paths": {"/b": {}, "/a": {"post": {}, "get": {}}}, "info": {"version": "1", "title": "t"}}"#
        let sorted = try OpenAPIMerge.merge(base: unsorted, fragments: [])
        #expect(String(decoding: sorted, as: UTF8.self) == #"{"info":{"title":"t","version":"1"},"paths":{"/a":{"get":{},"post":{}},"/b":{}}}"#)
        // No fragments: the base document, re-encoded.
        let alone = try OpenAPIMerge.merge(base: Self.base, fragments: [])
        #expect(try JSONDecoder().decode(JSONValue.self, from: alone) == JSONDecoder().decode(JSONValue.self, from: Data(Self.base.utf8)))
    }
}
