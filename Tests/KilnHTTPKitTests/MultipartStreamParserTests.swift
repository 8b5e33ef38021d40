@testable import KilnHTTPKit
import KilnCore
import Testing

@Suite struct MultipartStreamParserTests {
    /// What a parse produced: each part's headers and body.
    struct Part: Equatable {
        var headers: [String]
        var body: [UInt8]
    }

    static func parse(_ body: [UInt8], boundary: String = "XyZ", chunk: Int = .max) throws -> [Part] {
        var parser = try MultipartStreamParser(boundary: boundary)
        var parts: [Part] = []
        var offset = 0
        while offset < body.count {
            let end = min(body.count, offset + chunk)
            try parser.feed(body[offset..<end]) { event in
                switch event {
                case .headers(let headers): parts.append(Part(headers: headers.map { "\($0.name)=\($0.value)" }, body: []))
                case .body(let bytes): parts[parts.count - 1].body += bytes
                case .partEnd: break
                }
            }
            offset = end
        }
        try parser.finish()
        return parts
    }

    static let twoParts = Array((
        "preamble to ignore\r\n--XyZ\r\n" +
        "Content-Disposition: form-data; name=\"window\"\r\n\r\nlung\r\n" +
        "--XyZ  \r\n" +
        "Content-Disposition: form-data; name=\"file\"; filename=\"데이터.csv\"\r\nContent-Type: text/csv\r\n\r\n" +
        "a,b\r\n--XyQ not a boundary\r\n--Xy\r\n1,2" +
        "\r\n--XyZ--\r\nepilogue to ignore"
    ).utf8)

    @Test func partsHeadersAndBodiesAreReportedWhateverTheChunking() throws {
        let expected = [
            Part(headers: ["content-disposition=form-data; name=\"window\""], body: Array("lung".utf8)),
            Part(headers: ["content-disposition=form-data; name=\"file\"; filename=\"데이터.csv\"", "content-type=text/csv"],
                 body: Array("a,b\r\n--XyQ not a boundary\r\n--Xy\r\n1,2".utf8)),
        ]
        for chunk in [1, 2, 3, 7, 16, Int.max] {
            #expect(try Self.parse(Self.twoParts, chunk: chunk) == expected, "chunk \(chunk)")
        }
    }

    /// Padding after a delimiter is capped at 64 bytes whether the line end arrives with it or
    /// later: once only refused when the body came in small chunks (found by fuzz-multipart).
    @Test func longDelimiterPaddingIsRefusedWhateverTheChunking() throws {
        let padded = Array(("--XyZ" + String(repeating: " ", count: 65) + "\r\n\r\nbody\r\n--XyZ--").utf8)
        let allowed = Array(("--XyZ" + String(repeating: " ", count: 64) + "\r\n\r\nbody\r\n--XyZ--").utf8)
        for chunk in [1, 5, 70, Int.max] {
            #expect(throws: MultipartSyntaxError.self, "chunk \(chunk)") { try Self.parse(padded, chunk: chunk) }
            #expect(try Self.parse(allowed, chunk: chunk) == [Part(headers: [], body: Array("body".utf8))], "chunk \(chunk)")
        }
    }

    @Test func aPartWithoutHeadersAndAnEmptyBodyAreAccepted() throws {
        let parts = try Self.parse(Array("--XyZ\r\n\r\n\r\n--XyZ--".utf8))
        #expect(parts == [Part(headers: [], body: [])])
        #expect(try Self.parse(Array("--XyZ--\r\n".utf8)) == [])
    }

    @Test func malformedBodiesAreErrorsNotTraps() throws {
        let malformed: [[UInt8]] = [
            // A header name byte ≥ 0x80 made multipart-kit 4.7.1 trap.
            Array("--XyZ\r\n".utf8) + [0xC3, 0xB8] + Array(": x\r\n\r\nbody\r\n--XyZ--".utf8),
            Array("--XyZ\r\nno colon here\r\n\r\nbody\r\n--XyZ--".utf8),
            Array("--XyZ\r\n: empty name\r\n\r\nbody\r\n--XyZ--".utf8),
            Array("--XyZ\r\nName: a\rb\r\n\r\nbody\r\n--XyZ--".utf8),
            Array("--XyZjunk\r\n\r\nbody\r\n--XyZ--".utf8),
            Array("--XyZ\r\nName: a\r\n\r\nbody without its close delimiter".utf8),
            Array("no boundary anywhere".utf8),
            [],
        ]
        for body in malformed {
            for chunk in [1, 5, Int.max] {
                #expect(throws: MultipartSyntaxError.self, "\(String(decoding: body, as: UTF8.self)) chunk \(chunk)") {
                    try Self.parse(body, chunk: chunk)
                }
            }
        }
        let oversized = Array("--XyZ\r\nName: ".utf8) + Array(repeating: UInt8(ascii: "a"), count: MultipartStreamParser.maxHeaderBytes) + Array("\r\n\r\n\r\n--XyZ--".utf8)
        #expect(throws: MultipartSyntaxError.self) { try Self.parse(oversized, chunk: 4096) }
        #expect(throws: MultipartSyntaxError.self) { try MultipartStreamParser(boundary: "") }
    }

    /// Every single-byte corruption of a valid body, at every position, either parses or throws —
    /// and the outcome is the same however the body is chunked (seeded, so a failure repeats).
    @Test func everyByteCorruptionIsHandledTheSameWhateverTheChunking() throws {
        var generator = SeededGenerator(state: 29)
        func outcome(_ body: [UInt8], chunk: Int) -> [Part]? { try? Self.parse(body, chunk: chunk) }
        var refused = 0
        for position in Self.twoParts.indices {
            for value in [UInt8.random(in: 0...255, using: &generator), 0xFF] {
                var body = Self.twoParts
                body[position] = value
                let whole = outcome(body, chunk: .max)
                if whole == nil { refused += 1 }
                #expect(outcome(body, chunk: Int.random(in: 1...32, using: &generator)) == whole, "byte \(position) = \(value)")
            }
        }
        // Corrupting the delimiters and headers must be noticed somewhere.
        #expect(refused > 0)
    }
}
