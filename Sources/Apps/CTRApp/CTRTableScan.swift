import Foundation
import KilnML

/// One pass over a CTR table's data lines: per-column counts of empty, non-numeric and (for
/// the target) non-binary values, ragged lines, and — for training — the values themselves.
/// A large file without quotes is cut at line ends into one part per core; parts are scanned
/// at once and their counts merged, so the answer is the same as a single pass.
enum CTRTableScan {
    struct ColumnCounts: Sendable {
        var missing = 0
        /// Data-row index (0 = the first line after the header) of the first empty value.
        var firstMissing: Int?
        var nonNumeric = 0
        var firstNonNumeric: (row: Int, value: String)?
        var nonBinary = 0
        var firstNonBinary: (row: Int, value: String)?
        /// Values equal to 1 (counted for the target column only: the clicks).
        var ones = 0

        /// Adds a later part's counts (its rows shifted by `offset`).
        mutating func merge(_ later: ColumnCounts, offset: Int) {
            missing += later.missing
            nonNumeric += later.nonNumeric
            nonBinary += later.nonBinary
            ones += later.ones
            if firstMissing == nil { firstMissing = later.firstMissing.map { $0 + offset } }
            if firstNonNumeric == nil { firstNonNumeric = later.firstNonNumeric.map { ($0.row + offset, $0.value) } }
            if firstNonBinary == nil { firstNonBinary = later.firstNonBinary.map { ($0.row + offset, $0.value) } }
        }
    }

    struct Tally: Sendable {
        var rows = 0
        var columns: [ColumnCounts]
        /// The first ragged lines (data-row index and field count) and how many there were.
        var ragged: [(row: Int, width: Int)] = []
        var raggedCount = 0
        /// Row-major features (target left out; empty or non-numeric = NaN) and labels, when
        /// collected — only for tables without ragged lines, whose rows all have every column.
        var values: [Float] = []
        var labels: [Float] = []

        init(width: Int) { columns = Array(repeating: ColumnCounts(), count: width) }

        mutating func merge(_ later: Tally) {
            for index in columns.indices { columns[index].merge(later.columns[index], offset: rows) }
            if ragged.count < CTRDataset.maxListed + 1 {
                ragged += later.ragged.prefix(CTRDataset.maxListed + 1 - ragged.count).map { ($0.row + rows, $0.width) }
            }
            raggedCount += later.raggedCount
            values += later.values
            labels += later.labels
            rows += later.rows
        }
    }

    /// The header's names and where the data lines start.
    static func header(_ bytes: UnsafeBufferPointer<UInt8>) throws -> (names: [String], end: Int) {
        var scanner = CSVFieldScanner(bytes: bytes)
        let names: [String]?
        do {
            names = try scanner.nextRecord()
        } catch {
            throw CSVTable.ParseError(error, recordsBefore: 0)
        }
        guard let names else { throw CSVTable.ParseError.empty }
        return (names, min(scanner.index, bytes.count))
    }

    /// Scans the data lines from `start` (a line start) to the end, on up to `cores` threads.
    static func scan(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, width: Int, target: Int?, collect: Bool,
                     cores: Int = ProcessInfo.processInfo.activeProcessorCount) throws -> Tally {
        let parts = partBounds(bytes, from: start, cores: cores)
        if parts.count == 1 {
            return try scanPart(bytes, parts[0], width: width, target: target, collect: collect)
        }
        let results = PartResults(count: parts.count)
        let shared = ReadOnlyBytes(buffer: bytes)
        DispatchQueue.concurrentPerform(iterations: parts.count) { part in
            results.set(part, Result { try scanPart(shared.buffer, parts[part], width: width, target: target, collect: collect) })
        }
        var tally = try results.take(0).get()
        for part in 1..<parts.count { tally.merge(try results.take(part).get()) }
        return tally
    }

    /// Below this size one core is quicker than starting others.
    static let parallelThreshold = 4 << 20

    /// Line-aligned parts, one per core, for large files in which no field can span lines.
    static func partBounds(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int,
                           cores: Int = ProcessInfo.processInfo.activeProcessorCount) -> [Range<Int>] {
        let size = bytes.count - start
        guard cores > 1, size >= parallelThreshold, !CSVFieldScanner.containsQuote(bytes, from: start) else { return [start..<bytes.count] }
        var bounds: [Range<Int>] = []
        var lower = start
        for part in 1..<cores {
            var cut = max(lower, start + size / cores * part)
            while cut < bytes.count, bytes[cut] != CSVFieldScanner.newline { cut += 1 }
            cut = min(cut + 1, bytes.count)
            if cut > lower { bounds.append(lower..<cut) }
            lower = cut
        }
        if lower < bytes.count { bounds.append(lower..<bytes.count) }
        return bounds
    }

    static func scanPart(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, width: Int, target: Int?, collect: Bool) throws -> Tally {
        var tally = Tally(width: width)
        var scanner = CSVFieldScanner(bytes: bytes, start: range.lowerBound, end: range.upperBound)
        let featureCount = width - (target == nil ? 0 : 1)
        if collect {
            let estimate = range.count / max(1, width * 4)
            tally.values.reserveCapacity(estimate * featureCount)
            tally.labels.reserveCapacity(estimate)
        }
        var column = 0
        var row = 0
        var blank = false
        // Checking only: whole blocks of plain decimals where the bytes allow, field by field
        // elsewhere. After a refused block the next try waits until the fields passed it.
        var nextBlock = collect ? Int.max : range.lowerBound
        let base = bytes.baseAddress
        do {
            while true {
                if scanner.index >= nextBlock, let base {
                    var position = scanner.index
                    while position + CSVPlainBlock.size <= range.upperBound, let block = CSVPlainBlock(base + position) {
                        // Most blocks lie inside a line and hold no target value: only the column moves.
                        let commas = block.commas.nonzeroBitCount
                        if block.newlines == 0, target.map({ $0 < column || $0 >= column + commas }) ?? true {
                            column += commas
                        } else {
                            try count(block, at: position, scanner, width: width, target: target, column: &column, row: &row, tally: &tally)
                        }
                        position += block.count
                    }
                    if position > scanner.index {
                        scanner.skip(to: position)
                        blank = false  // every line a block began was a line of numbers
                    }
                    nextBlock = position + CSVPlainBlock.size
                }
                // Most fields are plain numbers, read in one pass; anything else takes the general path.
                let field: CSVFieldScanner.Field
                let number: FastNumber.Decimal?
                // A number in a feature column changes no count: when the values are not
                // collected (a check), its shape is all that is read (most fields of a table).
                var uncounted = false
                if !collect, column != target, column != 0, column < width, let plain = scanner.nextPlainDecimal() {
                    (number, field, uncounted) = (nil, plain, true)
                } else if let fast = scanner.nextNumber() {
                    (number, field) = (fast.number, fast.field)
                } else if let next = try scanner.next() {
                    (number, field) = (nil, next)
                } else {
                    break
                }
                if column == 0 { blank = number == nil && field.isEmpty && field.endsRecord }
                if !blank, !uncounted, column < width {
                    let value = try count(number, scanner, field, column: column, row: row, target: target, valued: collect,
                                      counts: &tally.columns[column])
                    if collect {
                        if column == target { tally.labels.append(Float(value)) } else { tally.values.append(Float(value)) }
                    }
                }
                column += 1
                guard field.endsRecord else { continue }
                if !blank {
                    if column != width {
                        if tally.ragged.count <= CTRDataset.maxListed { tally.ragged.append((row, column)) }
                        tally.raggedCount += 1
                    }
                    row += 1
                }
                column = 0
            }
        } catch is CSVFieldScanner.UnterminatedQuote {
            throw CSVTable.ParseError.unterminatedQuote(row: row + 1)  // records before it, the header included
        }
        tally.rows = row
        return tally
    }

    /// Counts what a block of plain decimals changes: its line ends (rows, ragged widths) and
    /// the target's values. Every other field in it is a number that changes no count.
    private static func count(_ block: CSVPlainBlock, at position: Int, _ scanner: CSVFieldScanner, width: Int, target: Int?,
                              column: inout Int, row: inout Int, tally: inout Tally) throws {
        var newlines = block.newlines
        var lineStart = 0  // the block's first byte of the current line
        while true {
            let lineEnd = newlines == 0 ? block.count : newlines.trailingZeroBitCount
            let commas = block.commas & ~((1 << UInt64(lineStart)) &- 1)
                & (lineEnd == 64 ? ~0 : (1 << UInt64(lineEnd)) &- 1)
            let commaCount = commas.nonzeroBitCount
            // Complete fields of this line in the block: columns `column` through `lastColumn`.
            let lastColumn = column + commaCount - (newlines == 0 ? 1 : 0)
            if let target, target >= column, target <= lastColumn {
                var before = commas
                for _ in 0..<max(0, target - column - 1) { before &= before &- 1 }
                let start = target == column ? lineStart : before.trailingZeroBitCount + 1
                let end = start + (block.fieldEnds >> UInt64(start)).trailingZeroBitCount
                let first = scanner.bytes[position + start]
                if end - start == 1, first == UInt8(ascii: "0") || first == UInt8(ascii: "1") {
                    if first == UInt8(ascii: "1") { tally.columns[target].ones += 1 }
                } else {
                    let field = CSVFieldScanner.Field(start: position + start, end: position + end, escaped: false, endsRecord: newlines != 0 && target == lastColumn)
                    _ = try count(nil, scanner, field, column: target, row: row, target: target, valued: false, counts: &tally.columns[target])
                }
            }
            guard newlines != 0 else {
                column += commaCount
                return
            }
            if column + commaCount + 1 != width {
                if tally.ragged.count <= CTRDataset.maxListed { tally.ragged.append((row, column + commaCount + 1)) }
                tally.raggedCount += 1
            }
            row += 1
            column = 0
            lineStart = lineEnd + 1
            newlines &= newlines &- 1
        }
    }

    /// Counts one value (`number` when the fast path already read it); returns it as a number
    /// when `valued` (NaN when empty or not a number), else NaN without converting. Text that
    /// is not UTF-8 (a CP949 export) refuses the whole file, as the string parser does.
    @inline(__always)
    private static func count(_ number: FastNumber.Decimal?, _ scanner: CSVFieldScanner, _ field: CSVFieldScanner.Field, column: Int, row: Int,
                              target: Int?, valued: Bool, counts: inout ColumnCounts) throws -> Double {
        if number == nil, field.isEmpty {
            counts.missing &+= 1
            if counts.firstMissing == nil { counts.firstMissing = row }
            return .nan
        }
        let value: Double
        if let number {
            guard valued || column == target else { return .nan }
            value = number.value
        } else {
            let raw = scanner.raw(field)
            guard !field.escaped, let parsed = FastNumber.value(raw), parsed.isFinite else {
                guard let text = scanner.text(field) else { throw CSVTable.ParseError.notUTF8 }
                counts.nonNumeric += 1
                if counts.firstNonNumeric == nil { counts.firstNonNumeric = (row, text) }
                return .nan
            }
            value = parsed
        }
        if column == target {
            if value == 1 {
                counts.ones += 1
            } else if value != 0 {
                counts.nonBinary += 1
                if counts.firstNonBinary == nil { counts.firstNonBinary = (row, String(decoding: scanner.raw(field), as: UTF8.self)) }
            }
        }
        return value
    }

    /// The file's bytes, only read, and only while `scan` waits for its parts.
    private struct ReadOnlyBytes: @unchecked Sendable { let buffer: UnsafeBufferPointer<UInt8> }

    /// Each part writes only its own slot, and the slots are read after every part has finished.
    private final class PartResults: @unchecked Sendable {
        private var slots: [Result<Tally, any Error>?]
        private let lock = NSLock()
        init(count: Int) { slots = Array(repeating: nil, count: count) }
        func set(_ index: Int, _ result: Result<Tally, any Error>) { lock.withLock { slots[index] = result } }
        func take(_ index: Int) -> Result<Tally, any Error> { lock.withLock { slots[index]! } }
    }
}
