#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An incremental `multipart/form-data` parser (RFC 7578 / RFC 2046 §5.1): feed it the body in
/// chunks of any size and it reports each part's headers, its body bytes and its end.
///
/// Kiln has its own because multipart-kit 4.7.1 traps (array index out of range) on a header
/// name byte ≥ 0x80, so one crafted request could stop the server. This one is a pure state
/// machine: every malformed input is a thrown `MultipartSyntaxError`, never a trap. It keeps
/// at most one chunk plus a delimiter's length of a part's body in memory.
public struct MultipartStreamParser {
    public enum Event {
        /// A part starts; header names are lower-cased, values trimmed (UTF-8, lossy).
        case headers([(name: String, value: String)])
        /// Some of the current part's body, in order.
        case body(ArraySlice<UInt8>)
        case partEnd
    }

    /// A header block longer than this is refused (browsers send a few hundred bytes).
    public static let maxHeaderBytes = 16 * 1024

    private enum State {
        /// Before the first delimiter; anything there is ignored, as RFC 2046 asks.
        case preamble
        /// Just after a delimiter: `--` closes the body, otherwise padding then CRLF.
        case afterDelimiter
        case headers
        case body
        /// After the close delimiter; anything there is ignored.
        case epilogue
    }

    private let dashBoundary: [UInt8]
    /// `CRLF--boundary`: what ends a part's body.
    private let delimiter: [UInt8]
    private var state = State.preamble
    /// Bytes received but not yet consumed; `start` is the first unconsumed one.
    private var buffer: [UInt8] = []
    private var start = 0

    public init(boundary: String) throws {
        let bytes = Array(boundary.utf8)
        // RFC 2046: 1 to 70 characters.
        guard (1...70).contains(bytes.count) else { throw MultipartSyntaxError("the multipart boundary must be 1 to 70 characters") }
        dashBoundary = Array("--".utf8) + bytes
        delimiter = Array("\r\n".utf8) + dashBoundary
    }

    /// True once the close delimiter has been seen.
    public var isComplete: Bool { if case .epilogue = state { true } else { false } }

    public mutating func feed<Bytes: Collection>(_ chunk: Bytes, _ handle: (Event) throws -> Void) throws where Bytes.Element == UInt8 {
        if case .epilogue = state { return }
        if start > 0, start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        buffer.append(contentsOf: chunk)
        while try step(handle) {}
        // Compact so the buffer does not grow with the body.
        if start > 0 {
            buffer.removeFirst(start)
            start = 0
        }
    }

    /// Call when the body has ended: a body without its close delimiter is truncated.
    public func finish() throws {
        guard isComplete else {
            if case .preamble = state { throw MultipartSyntaxError("the body has no part delimited by its boundary") }
            throw MultipartSyntaxError("the multipart body ends before its closing boundary")
        }
    }

    /// Makes one step of progress; false when more input is needed.
    private mutating func step(_ handle: (Event) throws -> Void) throws -> Bool {
        switch state {
        case .preamble:
            if let found = find(dashBoundary) {
                start = found + dashBoundary.count
                state = .afterDelimiter
                return true
            }
            // Keep only what could still be the start of the first delimiter.
            start = max(start, buffer.count - (dashBoundary.count - 1))
            return false

        case .afterDelimiter:
            var index = start
            while index < buffer.count, buffer[index] == UInt8(ascii: " ") || buffer[index] == UInt8(ascii: "\t") { index += 1 }
            // Padding is capped whether or not the line end has arrived yet, so that the answer
            // does not depend on where the network cut the body (found by fuzz-multipart).
            guard index - start <= 64 else { throw MultipartSyntaxError("malformed multipart delimiter line") }
            guard index + 1 < buffer.count else { return false }
            switch (buffer[index], buffer[index + 1]) {
            case (UInt8(ascii: "-"), UInt8(ascii: "-")) where index == start:
                state = .epilogue
                start = buffer.count
                return false
            case (UInt8(ascii: "\r"), UInt8(ascii: "\n")):
                start = index + 2
                state = .headers
                return true
            default:
                throw MultipartSyntaxError("malformed multipart delimiter line")
            }

        case .headers:
            let blockEnd: Int
            if buffer.count - start >= 2, buffer[start] == UInt8(ascii: "\r"), buffer[start + 1] == UInt8(ascii: "\n") {
                blockEnd = start  // a part without headers
            } else if let found = find(Self.headerTerminator) {
                blockEnd = found + 2
            } else {
                guard buffer.count - start <= Self.maxHeaderBytes else { throw MultipartSyntaxError("a multipart part's headers exceed \(Self.maxHeaderBytes) bytes") }
                return false
            }
            guard blockEnd - start <= Self.maxHeaderBytes else { throw MultipartSyntaxError("a multipart part's headers exceed \(Self.maxHeaderBytes) bytes") }
            let headers = try Self.parseHeaderBlock(buffer[start..<blockEnd])
            start = blockEnd + 2
            state = .body
            try handle(.headers(headers))
            return true

        case .body:
            if let found = find(delimiter) {
                if found > start { try handle(.body(buffer[start..<found])) }
                start = found + delimiter.count
                state = .afterDelimiter
                try handle(.partEnd)
                return true
            }
            // Hand over all but a tail that could be the start of the delimiter.
            let safeEnd = max(start, buffer.count - (delimiter.count - 1))
            if safeEnd > start {
                try handle(.body(buffer[start..<safeEnd]))
                start = safeEnd
            }
            return false

        case .epilogue:
            return false
        }
    }

    private static let headerTerminator = Array("\r\n\r\n".utf8)

    /// The offset of `needle`'s first occurrence in the unconsumed bytes.
    private func find(_ needle: [UInt8]) -> Int? {
        let haystackCount = buffer.count - start
        guard haystackCount >= needle.count else { return nil }
        return buffer.withUnsafeBytes { hay in
            needle.withUnsafeBytes { pin in
                // memchr for the first byte, then memcmp: both vectorised in libc, so a
                // multi-megabyte file part is scanned at memory speed, not byte by byte.
                let base = hay.baseAddress!
                var offset = start
                let lastStart = buffer.count - needle.count
                while offset <= lastStart {
                    guard let hit = memchr(base + offset, Int32(needle[0]), lastStart - offset + 1) else { return nil }
                    let position = base.distance(to: UnsafeRawPointer(hit))
                    if memcmp(hit, pin.baseAddress!, pin.count) == 0 { return position }
                    offset = position + 1
                }
                return nil
            }
        }
    }

    /// `Name: value` lines separated by CRLF; header names are RFC 9110 tokens.
    public static func parseHeaderBlock(_ block: ArraySlice<UInt8>) throws -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = []
        var lineStart = block.startIndex
        while lineStart < block.endIndex {
            var lineEnd = lineStart
            while lineEnd < block.endIndex, block[lineEnd] != UInt8(ascii: "\r") { lineEnd += 1 }
            let line = block[lineStart..<lineEnd]
            guard lineEnd + 1 < block.endIndex, block[lineEnd + 1] == UInt8(ascii: "\n"),
                  let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex,
                  line[line.startIndex..<colon].allSatisfy(isTokenByte) else {
                throw MultipartSyntaxError("malformed header line in a multipart part")
            }
            let name = String(decoding: line[line.startIndex..<colon], as: UTF8.self).lowercased()
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingASCIIWhitespace()
            headers.append((name, value))
            lineStart = lineEnd + 2  // past CRLF
        }
        return headers
    }

    /// RFC 9110 `tchar`.
    public static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }
}

public struct MultipartSyntaxError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

private extension String {
    public func trimmingASCIIWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
