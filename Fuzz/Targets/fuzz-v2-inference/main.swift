import Foundation
import FuzzDriver
import KilnCore
import KilnServing

/// The V2 (Open Inference Protocol) request decoder on any body: the JSON header, JSON tensor
/// data and the binary tensor layout after the header. The first two input bytes are the
/// `Inference-Header-Content-Length` (0xFFFF: no header length, a JSON-only body), so lengths
/// past the body's end are tried too. It either refuses the body with a `KilnError` or returns
/// tensors whose bytes match their shapes.
private enum Fixture {
    static let decoder = InferenceRequestDecoder(maxElements: 1 << 16)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzV2Inference(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    guard size >= 2 else { return 0 }
    let choice = Int(data[0]) << 8 | Int(data[1])
    let body = UnsafeRawBufferPointer(start: data + 2, count: size - 2)
    let request: InferenceRequest
    do {
        request = try Fixture.decoder.decode(body: body, headerLength: choice == 0xFFFF ? nil : choice)
    } catch is KilnError {
        return 0
    } catch {
        fatalError("the decoder threw something other than a KilnError: \(error)")
    }
    for (name, tensor) in request.inputs {
        guard tensor.shape.allSatisfy({ $0 >= 0 }), tensor.elementCount <= 1 << 16 else {
            fatalError("input \(name) has shape \(tensor.shape) past the decoder's limits")
        }
        if let elementSize = tensor.datatype.elementSize, tensor.storage.count != tensor.elementCount * elementSize {
            fatalError("input \(name): \(tensor.storage.count) bytes for shape \(tensor.shape) of \(tensor.datatype)")
        }
    }
    return 0
}

var argumentCount = CommandLine.argc
var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argumentCount, &arguments, fuzzV2Inference))
