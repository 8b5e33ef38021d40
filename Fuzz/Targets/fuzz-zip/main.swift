import Foundation
import FuzzDriver
import KilnCore
import ZlibCodec

/// The zip reader on any archive: the central directory, then every entry's bytes (stored or
/// deflated, CRC-checked). Refusals are `KilnError`s; an entry that unpacks must have the size
/// the directory declares.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzZip(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        let archive = try ZipArchive(bytes, maxEntries: 256)
        for entry in archive.entries {
            guard let contents = try? archive.contents(of: entry, maxBytes: 1 << 22) else { continue }
            guard contents.count == entry.size else {
                fatalError("entry \(entry.name) unpacked to \(contents.count) bytes; the directory says \(entry.size)")
            }
        }
    } catch is KilnError {
        return 0
    } catch {
        fatalError("the reader threw something other than a KilnError: \(error)")
    }
    return 0
}

var argumentCount = CommandLine.argc
var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argumentCount, &arguments, fuzzZip))
