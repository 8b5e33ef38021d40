import Foundation
import FuzzDriver
import KilnHTTPKit

/// The streaming multipart parser on any body, fed twice: whole, and in chunks of the size the
/// first input byte chooses (1–256). A stream parser's answer must not depend on how the
/// network cut the body: both runs must agree on refusing it, or on every part's headers and bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMultipart(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    guard size >= 1 else { return 0 }
    let chunk = Int(data[0]) + 1
    let body = UnsafeBufferPointer(start: data + 1, count: size - 1)
    let whole = parse(body, chunk: max(1, body.count))
    let cut = parse(body, chunk: chunk)
    guard whole == cut else { fatalError("chunks of \(chunk) bytes change the result: \(whole) vs \(cut)") }
    return 0
}

private struct Part: Equatable {
    var headers: [String] = []
    var body: [UInt8] = []
}

private enum Outcome: Equatable {
    case parts([Part])
    case refused
}

private func parse(_ body: UnsafeBufferPointer<UInt8>, chunk: Int) -> Outcome {
    var parts: [Part] = []
    do {
        var parser = try MultipartStreamParser(boundary: "kiln-fuzz-boundary")
        var offset = 0
        while offset < body.count {
            let end = min(body.count, offset + chunk)
            try parser.feed(body[offset..<end]) { event in
                switch event {
                case .headers(let headers): parts.append(Part(headers: headers.map { "\($0.name): \($0.value)" }))
                case .body(let bytes):
                    guard !parts.isEmpty else { fatalError("body bytes before any part's headers") }
                    parts[parts.count - 1].body += bytes
                case .partEnd: break
                }
            }
            offset = end
        }
        try parser.finish()
    } catch is MultipartSyntaxError {
        return .refused
    } catch {
        fatalError("the parser threw something other than a MultipartSyntaxError: \(error)")
    }
    return .parts(parts)
}

var argumentCount = CommandLine.argc
var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argumentCount, &arguments, fuzzMultipart))
