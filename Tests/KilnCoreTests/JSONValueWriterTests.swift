import Foundation
import KilnCore
import Testing

@Suite struct JSONValueWriterTests {
    @Test func writesWhatJSONDecoderReadsBack() throws {
        let value: JSONValue = .object([
            "text": .string("quote \" backslash \\ newline \n tab \t bell \u{7} 한글 😀"),
            "int": .number(1_700_000_000_123),
            "fraction": .number(0.1),
            "tiny": .number(1e-7),
            "negative": .number(-2.5),
            "flags": .array([.bool(true), .bool(false), .null]),
            "nested": .object(["empty": .array([]), "object": .object([:])]),
        ])
        let decoded = try JSONDecoder().decode(JSONValue.self, from: Data(value.jsonBytes))
        #expect(decoded == value)
        #expect(String(decoding: JSONValue.number(42).jsonBytes, as: UTF8.self) == "42")
        #expect(String(decoding: JSONValue.number(.nan).jsonBytes, as: UTF8.self) == "null")
    }
}
