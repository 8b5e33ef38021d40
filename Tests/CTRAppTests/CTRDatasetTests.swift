import Foundation
import KilnCore
@testable import CTRApp
import Testing

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
    func dataset(_ text: String) throws -> CTRDataset { CTRDataset(table: try CSVTable.parse(Data(text.utf8))) }

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
