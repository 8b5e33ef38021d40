import Foundation
import KilnCore
import Testing

@Suite struct JSONReaderTests {
    func value(_ text: String) throws -> JSONValue {
        try JSONReader.value(Array(text.utf8))
    }

    @Test func readsEveryKindOfValue() throws {
        let parsed = try value(#" {"a": [1, -2.5, 3e2, true, false, null], "b": {"c": "d\"\\\/\n\u00e9\ud83d\ude00"}, "e": []} "#)
        #expect(parsed == .object([
            "a": .array([.number(1), .number(-2.5), .number(300), .bool(true), .bool(false), .null]),
            "b": .object(["c": .string("d\"\\/\né😀")]),
            "e": .array([]),
        ]))
        #expect(try value(#""héllo""#) == .string("héllo"))
        #expect(try value("{}") == .object([:]))
    }

    @Test func numbersAreCorrectlyRounded() throws {
        // The fast path (≤ 2^53 mantissa, |exponent| ≤ 22) and the slow path must both give
        // exactly what the standard library's correctly rounded parser gives.
        var generator = SeededGenerator(state: 7)
        var texts = ["0", "-0", "0.1", "0.000001234", "123456789012345678901234", "1e308", "2.2250738585072014e-308",
                     "4.9e-324", "9007199254740993", "0.30000000000000004", "1E+2", "1e-22", "1e23", "-1.5e-7"]
        for _ in 0..<2000 {
            let number = Double.random(in: -1...1, using: &generator) * pow(10, Double(Int.random(in: -30...30, using: &generator)))
            texts.append("\(number)")
            texts.append(String(format: "%.6f", number))
            texts.append("\(Float(number))")
        }
        for text in texts {
            let parsed = try value(text)
            #expect(parsed == .number(Double(text)!), "\(text)")
        }
        #expect(try value("-0").number.map { $0.sign == .minus } == true)
    }

    @Test(arguments: ["", "[1,]", "{\"a\":1,}", "[01]", "[1.]", "[.5]", "[1e]", "[-]", "[+1]", "[0x10]", "[NaN]", "[Infinity]",
                      "\"abc", "\"a\u{01}b\"", "\"\\x\"", "\"\\ud800\"", "\"\\udc00x\"", "tru", "nul", "{\"a\" 1}", "{a:1}",
                      "[1 2]", "[1]]", "{} {}", "[\"\\u12\"]"])
    func malformedDocumentsAreSyntaxErrors(text: String) {
        do {
            _ = try value(text)
            Issue.record("accepted \(text)")
        } catch let failure as JSONReader.Failure {
            guard case .syntax = failure else {
                Issue.record("\(text): \(failure)")
                return
            }
        } catch {
            Issue.record("\(text): \(error)")
        }
    }

    @Test func invalidUTF8IsRefused() {
        #expect(throws: JSONReader.Failure.self) { try JSONReader.value([0x22, 0xFF, 0x22]) }
        #expect(throws: JSONReader.Failure.self) { try JSONReader.value([0x22, 0x5C, 0x6E, 0xC3, 0x22]) }
    }

    @Test func deepNestingIsRefusedWithoutExhaustingTheStack() {
        let deep = String(repeating: "[", count: 1_000_000)
        #expect(throws: JSONReader.Failure.self) { try value(deep) }
        let allowed = String(repeating: "[", count: JSONReader.maxDepth) + String(repeating: "]", count: JSONReader.maxDepth)
        #expect((try? value(allowed)) != nil)
    }

    @Test func typedReadsReportAMismatchNotASyntaxError() throws {
        let bytes = Array(#"{"shape": "x"}"#.utf8)
        #expect(throws: JSONReader.Failure.typeMismatch(expected: "an array", offset: 10)) {
            try bytes.withUnsafeBufferPointer { buffer in
                try JSONReader.parse(buffer) { reader in
                    try reader.readObject { reader, _ in try reader.readArray { _ = try $0.readValue() } }
                }
            }
        }
        #expect(throws: JSONReader.Failure.numberOutOfRange(offset: 0)) { try value("1e400") }
    }
}

extension JSONValue {
    fileprivate var number: Double? {
        if case .number(let number) = self { number } else { nil }
    }
}
