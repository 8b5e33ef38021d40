import Foundation
import KilnCore
@testable import CTRApp
import CTRDemo
import Testing
import KilnML

@Suite struct CSVTableTests {
    @Test func parsesQuotesCRLFAndBOM() throws {
        let text = "\u{FEFF}a,\"b, with comma\",c\r\n1,\"say \"\"hi\"\"\",3\r\n\r\n4,5,\"multi\nline\"\n"
        let table = try CSVTable.parse(Data(text.utf8))
        #expect(table.header == ["a", "b, with comma", "c"])
        #expect(table.rows == [["1", "say \"hi\"", "3"], ["4", "5", "multi\nline"]])
    }

    @Test func refusesEmptyAndUnterminated() {
        #expect(throws: CSVTable.ParseError.empty) { _ = try CSVTable.parse(Data()) }
        #expect(throws: CSVTable.ParseError.unterminatedQuote(row: 1)) { _ = try CSVTable.parse(Data("a\n\"open\n".utf8)) }
    }
}

@Suite struct CTRDatasetTests {
    func dataset(_ text: String) throws -> CTRDataset { try CTRDataset(csv: Data(text.utf8)) }

    @Test func aCleanTableIsValidWithItsCTR() throws {
        let dataset = try dataset("hour,age,clicked\n1,20,0\n2,30,1\n3,,0\n4,40,0\n")
        #expect(dataset.validation.isValid)
        #expect(dataset.validation.warnings.map(\.code) == ["missing_values"])
        #expect(dataset.validation.warnings.first?.row == 4 && dataset.validation.warnings.first?.column == "age")
        #expect(dataset.info.totalRows == 4 && dataset.info.clickedOne == 1 && dataset.info.ctr == 25)
        let (values, labels, columns) = try dataset.matrix()
        #expect(columns == 2 && labels == [0, 1, 0, 0] && values[5].isNaN)
    }

    @Test func reportsEveryProblemWithRowAndColumn() throws {
        let dataset = try dataset("hour,hour,city,clicked\n1,2,seoul,0\n1,2,busan,2\n1,2\n")
        let codes = Set(dataset.validation.errors.map(\.code))
        #expect(!dataset.validation.isValid)
        #expect(codes == ["duplicate_header", "ragged_row", "non_numeric", "non_binary_target"])
        let nonNumeric = try #require(dataset.validation.errors.first { $0.code == "non_numeric" })
        #expect(nonNumeric.column == "city" && nonNumeric.row == 2 && nonNumeric.count == 2)
        #expect(dataset.validation.errors.first { $0.code == "ragged_row" }?.row == 4)
        #expect(dataset.validation.errors.first { $0.code == "non_binary_target" }?.row == 3)
        #expect(throws: KilnError.self) { _ = try dataset.matrix() }
        #expect(try self.dataset("a,b\n1,2\n").validation.errors.map(\.code) == ["missing_target"])
    }

    @Test func quotedCRLFAndBlankLinesCountLikeTheTextParser() throws {
        let dataset = try dataset("\u{FEFF}\"hour\",age,clicked\r\n\"1\", 20 ,0\r\n\r\n\"say \"\"hi\"\"\",30,1\r\n")
        #expect(dataset.header == ["hour", "age", "clicked"])
        #expect(dataset.info.totalRows == 2 && dataset.info.clickedOne == 1)
        let nonNumeric = try #require(dataset.validation.errors.first { $0.code == "non_numeric" })
        #expect(nonNumeric.row == 3 && nonNumeric.message.contains("'say \"hi\"'"))
        #expect(dataset.preview().count == 2)
        #expect(throws: CSVTable.ParseError.notUTF8) { try CTRDataset(csv: Data([0xBD, 0xC3, 0x2C, 0x63, 0x0A, 0x31, 0x2C, 0x30, 0x0A])) }
        // CP949 text in a data cell, past the preview rows: refused like the string parser does, not counted as non-numeric.
        var cp949Cell = Data("city,clicked\n".utf8)
        for _ in 0..<12 { cp949Cell += Data("1,0\n".utf8) }
        cp949Cell += Data([0xBC, 0xAD, 0xBF, 0xEF, 0x2C, 0x31, 0x0A])  // "서울" in CP949, then ",1"
        #expect(throws: CSVTable.ParseError.notUTF8) { try CTRDataset(csv: cp949Cell) }
        #expect(throws: CSVTable.ParseError.notUTF8) { try CSVTable.parse(cp949Cell) }
        #expect(throws: CSVTable.ParseError.unterminatedQuote(row: 2)) { try CTRDataset(csv: Data("a,clicked\n1,0\n\"open,1\n".utf8)) }
        #expect(throws: CSVTable.ParseError.empty) { try CTRDataset(csv: Data("\n\n".utf8)) }
    }

    /// A large file is scanned in parts on several threads; the answer must be the one a single
    /// pass gives, and the values those of the string parser.
    @Test func partsScannedTogetherAgreeWithOnePass() throws {
        var text = try String(decoding: CTRDataGeneratorTests.csv(rows: 40_000, columns: 30, seed: 3), as: UTF8.self)
        text += "1,2\n" + String(repeating: "x,", count: 29) + "1\n"  // a ragged line and a non-numeric one at the end
        text = text.replacingOccurrences(of: ",0\\.[0-9]+,", with: ",,", options: .regularExpression, range: text.index(text.startIndex, offsetBy: text.utf8.count / 2)..<text.endIndex)
        let bytes = Array(text.utf8)
        #expect(bytes.count > CTRTableScan.parallelThreshold)
        try bytes.withUnsafeBufferPointer { buffer in
            let head = try CTRTableScan.header(buffer)
            let target = head.names.firstIndex(of: "clicked")
            #expect(CTRTableScan.partBounds(buffer, from: head.end).count == ProcessInfo.processInfo.activeProcessorCount)
            let together = try CTRTableScan.scan(buffer, from: head.end, width: head.names.count, target: target, collect: false)
            let single = try CTRTableScan.scanPart(buffer, head.end..<buffer.count, width: head.names.count, target: target, collect: false)
            #expect(together.rows == single.rows && together.raggedCount == 1 && single.raggedCount == 1)
            #expect(together.ragged.map(\.row) == single.ragged.map(\.row))
            for (a, b) in zip(together.columns, single.columns) {
                #expect(a.missing == b.missing && a.firstMissing == b.firstMissing && a.nonNumeric == b.nonNumeric)
                #expect(a.firstNonNumeric?.row == b.firstNonNumeric?.row && a.ones == b.ones)
            }
            #expect(together.columns.contains { $0.missing > 0 } && together.columns.contains { $0.nonNumeric > 0 })
        }
        // Without the two bad lines the table is valid: its matrix equals the string parser's numbers.
        let clean = try CTRDataGeneratorTests.csv(rows: 40_000, columns: 30, seed: 3)
        let (values, labels, columns) = try CTRDataset(csv: clean).matrix()
        let table = try CSVTable.parse(clean)
        let target = try #require(table.header.firstIndex(of: "clicked"))
        #expect(columns == 29 && labels.count == table.rows.count && values.count == table.rows.count * 29)
        for (index, row) in table.rows.enumerated() where index % 997 == 0 {
            #expect(labels[index] == Float(row[target])!)
            let features = row.indices.filter { $0 != target }.map { Float(FastNumber.parse(row[$0])!) }
            #expect(Array(values[index * 29..<(index + 1) * 29]) == features)
        }
    }

    /// Checking alone skips the numbers of feature columns; its counts must be those of the
    /// scan that reads every value (for training), on a table with every kind of problem.
    @Test func checkingCountsWhatReadingEveryValueCounts() throws {
        let text = "a,b,clicked,c\n1,2,0,3\n,2,1,\n1,x,0,3\n1,2,7\n\n4,5,1,6,7\n-1.5e3,+2,0,x\n1,2,,3\n1, 2 ,1,3"
        try Array(text.utf8).withUnsafeBufferPointer { buffer in
            let head = try CTRTableScan.header(buffer)
            let range = head.end..<buffer.count
            let checked = try CTRTableScan.scanPart(buffer, range, width: 4, target: 2, collect: false)
            let read = try CTRTableScan.scanPart(buffer, range, width: 4, target: 2, collect: true)
            #expect(checked.rows == 8 && read.rows == 8)
            #expect(checked.ragged.map(\.row) == [3, 4] && read.ragged.map(\.row) == [3, 4])
            for (a, b) in zip(checked.columns, read.columns) {
                #expect(a.missing == b.missing && a.firstMissing == b.firstMissing && a.nonNumeric == b.nonNumeric && a.ones == b.ones)
                #expect(a.firstNonNumeric?.row == b.firstNonNumeric?.row && a.nonBinary == b.nonBinary)
            }
            #expect(checked.columns.map(\.missing) == [1, 0, 1, 1] && checked.columns.map(\.nonNumeric) == [0, 1, 0, 1])
            #expect(checked.columns[2].ones == 3 && checked.columns[2].nonBinary == 1)
        }
    }

    /// A table whose last line ends with a comma and no line end: its last field is empty and
    /// its row counts. Checking by blocks once dropped both when a block reached the end of the
    /// file (found by fuzz-csv).
    @Test func aTrailingCommaAtTheEndCountsItsEmptyField() throws {
        let text = "a,b,c\n" + String(repeating: "13,0.07,1\n", count: 10) + "130,0.70,"
        try Array(text.utf8).withUnsafeBufferPointer { buffer in
            let head = try CTRTableScan.header(buffer)
            let range = head.end..<buffer.count
            for collect in [false, true] {
                let tally = try CTRTableScan.scanPart(buffer, range, width: 3, target: nil, collect: collect)
                #expect(tally.rows == 11 && tally.raggedCount == 0, "collect \(collect)")
                #expect(tally.columns[2].missing == 1 && tally.columns[2].firstMissing == 10, "collect \(collect)")
            }
        }
    }

    /// Checking reads whole blocks of plain decimals where it can and fields one by one
    /// elsewhere; on tables with problems scattered through them (random seeds), its counts
    /// must still be those of the scan that reads every value field by field.
    @Test(arguments: [1, 2, 3, 4]) func checkingByBlocksCountsWhatReadingEveryValueCounts(seed: UInt64) throws {
        var generator = SeededGenerator(state: seed)
        let odd = ["", "x", "1e5", " 3", "-", ".", "+.5", "1.2.3", "1234567890123456", "12345678.1234567", "\"4\"", "-0", "7.", "é"]
        var text = "a,b,c,clicked,d,e\n"
        for row in 0..<3_000 {
            var fields = (0..<6).map { column -> String in
                if column == 3 { return ["0", "1", "0", "0", "1.0", "2", "", "0.0"][Int.random(in: 0..<(row % 5 == 0 ? 8 : 3), using: &generator)] }
                return String(format: "%.\(Int.random(in: 0...4, using: &generator))f", Double.random(in: -99...99, using: &generator))
            }
            if Int.random(in: 0..<40, using: &generator) == 0 { fields[Int.random(in: 0..<6, using: &generator)] = odd.randomElement(using: &generator)! }
            if Int.random(in: 0..<200, using: &generator) == 0 { fields.removeLast(Int.random(in: 1...5, using: &generator)) }
            if Int.random(in: 0..<200, using: &generator) == 0 { fields.append("9") }
            // Seeds 3 and 4 end most lines with CRLF (Windows exports), the others with LF.
            let crlf = (seed >= 3) != (Int.random(in: 0..<300, using: &generator) == 0)
            text += fields.joined(separator: ",") + (crlf ? "\r\n" : "\n")
            if Int.random(in: 0..<300, using: &generator) == 0 { text += "\n" }
        }
        text += "1,2,3,1,5,6"  // no line end at the end
        try Array(text.utf8).withUnsafeBufferPointer { buffer in
            let head = try CTRTableScan.header(buffer)
            let range = head.end..<buffer.count
            let checked = try CTRTableScan.scanPart(buffer, range, width: 6, target: 3, collect: false)
            let read = try CTRTableScan.scanPart(buffer, range, width: 6, target: 3, collect: true)
            #expect(checked.rows == read.rows && checked.raggedCount == read.raggedCount && checked.raggedCount > 0)
            #expect(checked.ragged.map(\.row) == read.ragged.map(\.row) && checked.ragged.map(\.width) == read.ragged.map(\.width))
            for (a, b) in zip(checked.columns, read.columns) {
                #expect(a.missing == b.missing && a.firstMissing == b.firstMissing && a.nonNumeric == b.nonNumeric && a.ones == b.ones)
                #expect(a.firstNonNumeric?.row == b.firstNonNumeric?.row && a.nonBinary == b.nonBinary)
            }
            #expect(checked.columns[3].ones > 0 && checked.columns[3].nonBinary > 0 && checked.columns.contains { $0.nonNumeric > 0 })
        }
    }

    @Test func stratifiedSplitKeepsTheClickShareAndIsRepeatable() {
        let labels: [Float] = (0..<1000).map { $0 % 50 == 0 ? 1 : 0 }  // 2% clicks
        let first = StratifiedSplit.split(labels: labels, validationShare: 0.2, seed: 42)
        let second = StratifiedSplit.split(labels: labels, validationShare: 0.2, seed: 42)
        #expect(first.train == second.train && first.validation == second.validation)
        #expect(first.validation.count == 200 && first.train.count == 800)
        #expect(first.validation.filter { labels[$0] == 1 }.count == 4)
        #expect(Set(first.train).isDisjoint(with: first.validation))
    }
}

@Suite struct FastNumberTests {
    /// A field the shape-only reader takes is one the number reader takes, with the same end.
    @Test func plainDecimalsAreTheNumbersWithoutAnExponent() {
        var generator = SeededGenerator(state: 4)
        var texts = ["0", "-0", "+1", "1.", ".5", "-.25", "1e3", "2.5e+10", "123456789012345", "1234567890123456", "0.000000000000001",
                     "-", ".", "", "e5", "1x", " 2", "2 ", "\"3\"", "1.2.3", "--1", "0x10", "nan"]
        for _ in 0..<2_000 {
            texts.append(String(format: "%.\(Int.random(in: 0...9, using: &generator))f", Double.random(in: -1e6...1e6, using: &generator)))
        }
        for text in texts {
            for ending in [",7\n", "\r\n", "\n", ""] {
                let line = Array((text + ending).utf8)
                line.withUnsafeBufferPointer { bytes in
                    var plain = CSVFieldScanner(bytes: bytes), numeric = CSVFieldScanner(bytes: bytes)
                    let shape = plain.nextPlainDecimal(), number = numeric.nextNumber()
                    let digits = text.filter(\.isNumber).count
                    let expected = number != nil && !text.lowercased().contains("e") && digits <= 15
                    #expect((shape != nil) == expected, "\(text.debugDescription) + \(ending.debugDescription)")
                    if let shape, let number {
                        #expect(shape.end == number.field.end && shape.endsRecord == number.field.endsRecord && plain.index == numeric.index)
                    }
                }
            }
        }
    }

    /// A block is taken exactly when every field ending in it is one the shape-only reader
    /// takes and at most 15 bytes long (and the bytes after them could start one), with LF or
    /// CRLF line ends; its masks are where the commas, line feeds and field ends are.
    @Test func aBlockIsTakenWhenEveryFieldInItIsAPlainDecimal() {
        var generator = SeededGenerator(state: 12)
        let odd = ["", "x", "1e5", " 3", "-", ".", "+", "-.", "+.5", "1.2.3", "1..2", "1.2.", "--1", "1-2", "\"4\"", "7\r", "é", "\r", "-\r", "8\r\r",
                   "1234567890123456", "123456789012345", "-12345678901234", "0.1234567890123", "99999999999999999999"]
        for trial in 0..<20_000 {
            var bytes: [UInt8] = []
            while bytes.count < CSVPlainBlock.size + 16 {
                let field = Int.random(in: 0..<(trial % 2 == 0 ? 12 : 400), using: &generator) < odd.count
                    ? odd.randomElement(using: &generator)!
                    : String(format: "%.\(Int.random(in: 0...5, using: &generator))f", Double.random(in: -9999...9999, using: &generator))
                let lineEnd: [UInt8] = trial % 3 == 0 ? [CSVFieldScanner.carriage, CSVFieldScanner.newline] : [CSVFieldScanner.newline]
                bytes += Array(field.utf8) + (Int.random(in: 0..<8, using: &generator) == 0 ? lineEnd : [CSVFieldScanner.comma])
            }
            if trial % 500 == 0 { bytes = Array(repeating: UInt8(ascii: "5"), count: 80) }  // no separator at all
            bytes.withUnsafeBufferPointer { buffer in
                // The fields that end inside the 64 bytes, read one by one.
                var scanner = CSVFieldScanner(bytes: buffer)
                var plain = true, commas: UInt64 = 0, newlines: UInt64 = 0, ends: UInt64 = 0, count = 0
                while scanner.index < CSVPlainBlock.size {
                    let start = scanner.index
                    guard let end = buffer[start...].firstIndex(where: { $0 == CSVFieldScanner.comma || $0 == CSVFieldScanner.newline }),
                          end < CSVPlainBlock.size else { break }
                    // A CRLF's CR is not part of the field before it.
                    let fieldEnd = end > start && buffer[end - 1] == CSVFieldScanner.carriage && buffer[end] == CSVFieldScanner.newline ? end - 1 : end
                    let field = scanner.nextPlainDecimal()
                    plain = plain && field != nil && field!.end == fieldEnd && fieldEnd - start <= 15
                    if buffer[end] == CSVFieldScanner.comma { commas |= 1 << UInt64(end) } else { newlines |= 1 << UInt64(end) }
                    ends |= 1 << UInt64(end) | 1 << UInt64(fieldEnd)
                    count = end + 1
                    scanner = CSVFieldScanner(bytes: buffer, start: count)
                }
                let block = CSVPlainBlock(buffer.baseAddress!)
                // A byte after the window that no plain decimal has refuses the block too: the
                // field it belongs to is read one by one next anyway.
                let allowed = Set("0123456789+-.,\n\r".utf8)
                let expected = plain && count > 0 && buffer[count..<CSVPlainBlock.size].allSatisfy(allowed.contains)
                #expect((block != nil) == expected, "\(String(decoding: buffer.prefix(64), as: UTF8.self).debugDescription)")
                if let block, expected {
                    let found = [block.commas, block.newlines, block.fieldEnds, UInt64(block.count)]
                    #expect(found == [commas, newlines, ends, UInt64(count)])
                }
            }
        }
    }

    /// The fast path must agree bit for bit with the standard library (strtod) wherever it answers.
    @Test func agreesWithTheStandardLibrary() {
        var generator = SeededGenerator(state: 9)
        var texts = ["0", "-0", "+1", "1.", ".5", "-.25", "1e3", "1E-3", "2.5e+10", "123456789012345", "1234567890123456789",
                     "0.1", "0.30000000000000004", "1e22", "1e23", "9007199254740993", "nan", "inf", "-", ".", "e5", "1e", "1x", "", "12 ", "0x10"]
        for _ in 0..<20_000 {
            let value = Double.random(in: -1e6...1e6, using: &generator)
            texts.append(String(format: "%.\(Int.random(in: 0...9, using: &generator))f", value))
        }
        for text in texts {
            let expected = Double(text)
            let actual = FastNumber.parse(text)
            let same = actual?.bitPattern == expected?.bitPattern || (actual?.isNaN == true && expected?.isNaN == true)
            #expect(same, "\(text): \(String(describing: actual)) vs \(String(describing: expected))")
        }
    }
}
