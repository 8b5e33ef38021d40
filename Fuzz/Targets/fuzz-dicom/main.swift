import FuzzDriver
import Dicom
import Foundation
import KilnCore

/// DICOM through the DCMTK wrapper (libKilnDicom.so beside this executable, built with the
/// same instrumentation): parse, read the image attributes, decode the first frame and
/// de-identify. Every refusal must be a `KilnError`; a decoded frame has rows × columns values.
private enum Fixture {
    static let runtime: DicomRuntime = {
        do { return try DicomRuntime() } catch { fatalError("cannot load the DCMTK plugin: \(error)") }
    }()
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDicom(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    do {
        let file = try Fixture.runtime.read(Data(bytes: data, count: size))
        _ = file.string(.patientName)
        _ = file.numbers(.pixelSpacing)
        let info = try file.imageInfo()
        if info.decodable, info.rows * info.columns <= 1 << 22 {
            let frame = try file.decodeFrame(0)
            guard frame.count == info.rows * info.columns else { fatalError("\(frame.count) values for \(info.rows)×\(info.columns)") }
        }
        try DicomDeidentifier().apply(to: file, pseudonym: "fuzz")
    } catch is KilnError {
        return 0
    } catch {
        fatalError("the wrapper threw something other than a KilnError: \(error)")
    }
    return 0
}

var argumentCount = CommandLine.argc
var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argumentCount, &arguments, fuzzDicom))
