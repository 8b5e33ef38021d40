import Foundation
import FuzzDriver
@testable import CTRApp
import KilnML

/// The CSV scanner and the CTR table checker on any bytes. The checker has two paths that
/// must agree: a check (`collect: false`) reads 64-byte blocks of plain decimals with vector
/// compares where it can, and training (`collect: true`) reads every field one by one. The
/// fuzzer looks for a table on which they count rows, ragged lines, empty, non-numeric or
/// non-binary values differently, or refuse it differently. The first input byte picks the
/// target column (0xFF: none).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    guard size >= 1 else { return 0 }
    let bytes = UnsafeBufferPointer(start: data + 1, count: size - 1)
    guard let header = try? CTRTableScan.header(bytes), !header.names.isEmpty, header.names.count <= 256 else { return 0 }
    let width = header.names.count
    let target = data[0] == 0xFF ? nil : Int(data[0]) % width
    let range = header.end..<bytes.count
    let checked = summary { try CTRTableScan.scanPart(bytes, range, width: width, target: target, collect: false) }
    let collected = summary { try CTRTableScan.scanPart(bytes, range, width: width, target: target, collect: true) }
    guard checked == collected else { fatalError("the block path and the field path disagree:\n\(checked)\n\(collected)") }
    return 0
}

/// What a table check reports, comparable.
private func summary(_ scan: () throws -> CTRTableScan.Tally) -> String {
    do {
        let tally = try scan()
        let columns = tally.columns.enumerated().map { index, counts in
            "\(index): missing \(counts.missing) first \(String(describing: counts.firstMissing)), "
                + "non-numeric \(counts.nonNumeric) first \(String(describing: counts.firstNonNumeric)), "
                + "non-binary \(counts.nonBinary) first \(String(describing: counts.firstNonBinary)), ones \(counts.ones)"
        }
        return "rows \(tally.rows), ragged \(tally.raggedCount) \(tally.ragged)\n" + columns.joined(separator: "\n")
    } catch {
        return "refused: \(error)"
    }
}

var argumentCount = CommandLine.argc
var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argumentCount, &arguments, fuzzCSV))
