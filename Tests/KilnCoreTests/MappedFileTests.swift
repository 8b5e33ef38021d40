import Foundation
import KilnCore
import Testing

@Suite struct MappedFileTests {
    @Test func mapsTheWholeFileAndOutlivesItsName() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mapped-\(UUID().uuidString)")
        let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try Data(bytes).write(to: url)
        let data = try MappedFile.data(at: url)
        // A mapping stays readable after the file is renamed or removed (an upload is moved
        // into the blob store while it is still being parsed).
        try FileManager.default.removeItem(at: url)
        #expect(data.count == bytes.count && Array(data) == bytes)
    }

    @Test func emptyAndMissingFiles() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mapped-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: url.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(try MappedFile.data(at: url).isEmpty)
        #expect(throws: (any Error).self) { try MappedFile.data(at: url.appendingPathExtension("missing")) }
    }
}
