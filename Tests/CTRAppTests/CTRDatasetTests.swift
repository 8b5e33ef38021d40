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
