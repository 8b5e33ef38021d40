import Foundation
import FuzzDriver
import KilnCore

/// JSONReader on any bytes: it either refuses them with a `JSONReader.Failure` or returns a
/// value that survives a round trip through `JSONValue.jsonBytes` unchanged.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let value: JSONValue
    do {
        value = try JSONReader.value(bytes)
    } catch is JSONReader.Failure {
        return 0
    } catch {
        fatalError("JSONReader threw something other than a Failure: \(error)")
    }
    let written = value.jsonBytes
    guard let reread = try? JSONReader.value(written) else {
        fatalError("JSONReader refuses what JSONValue wrote: \(String(decoding: written, as: UTF8.self))")
    }
    // NaN never comes out of the reader, so == is the right comparison.
    guard reread == value else { fatalError("the round trip changed the value: \(value) → \(reread)") }
    return 0
}

var argumentCount = CommandLine.argc
var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argumentCount, &arguments, fuzzJSON))
