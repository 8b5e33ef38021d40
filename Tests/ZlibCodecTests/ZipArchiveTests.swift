import Foundation
import KilnCore
import Testing
@testable import ZlibCodec

/// A zip written by Python's zipfile: `stored.txt` (stored), `dir/`, `dir/deflated.bin`
/// (deflated, bytes 0…255 forty times).
private let archiveBytes = [UInt8](Data(base64Encoded: "UEsDBBQAAAAAAEt5dV2uARwMCgAAAAoAAAAKAAAAc3RvcmVkLnR4dGhlbGxvIGtpbG5QSwMEFAAAAAAAS3l1XQAAAAAAAAAAAAAAAAQAAABkaXIvUEsDBBQAAAAIAEt5dV2dO867bgEAAAAoAAAQAAAAZGlyL2RlZmxhdGVkLmJpbmNgZGJmYWVj5+Dk4ubh5eMXEBQSFhEVE5eQlJKWkZWTV1BUUlZRVVPX0NTS1tHV0zcwNDI2MTUzt7C0sraxtbN3cHRydnF1c/fw9PL28fXzDwgMCg4JDQuPiIyKjomNi09ITEpOSU1Lz8jMys7JzcsvKCwqLiktK6+orKquqa2rb2hsam5pbWvv6Ozq7unt658wcdLkKVOnTZ8xc9bsOXPnzV+wcNHiJUuXLV+xctXqNWvXrd+wcdPmLVu3bd+xc9fuPXv37T9w8NDhI0ePHT9x8tTpM2fPnb9w8dLlK1evXb9x89btO3fv3X/w8NHjJ0+fPX/x8tXrN2/fvf/w8dPnL1+/ff/x89fvP3///WcY9f+o/0f9P+r/Uf+P+n/U/6P+H/X/qP9H/T/q/1H/j/p/1P+j/h/1/6j/R/0/6v9R/4/6f9T/o/4f9f+o/0f9P+r/Uf+P+n/U/6P+H/X/qP9H/T/q/1H/j/p/CPofAFBLAQIUAxQAAAAAAEt5dV2uARwMCgAAAAoAAAAKAAAAAAAAAAAAAACAAQAAAABzdG9yZWQudHh0UEsBAhQDFAAAAAAAS3l1XQAAAAAAAAAAAAAAAAQAAAAAAAAAAAAQAP1BMgAAAGRpci9QSwECFAMUAAAACABLeXVdnTvOu24BAAAAKAAAEAAAAAAAAAAAAAAAgAFUAAAAZGlyL2RlZmxhdGVkLmJpblBLBQYAAAAAAwADAKgAAADwAQAAAAA=")!)

@Suite struct ZipArchiveTests {
    @Test func readsStoredAndDeflatedEntries() throws {
        let archive = try ZipArchive(archiveBytes)
        #expect(archive.entries.map(\.name) == ["stored.txt", "dir/", "dir/deflated.bin"])
        #expect(archive.entries[1].isDirectory)
        #expect(try archive.contents(of: archive.entries[0], maxBytes: 1 << 20) == Array("hello kiln".utf8))
        let expected = (0..<40).flatMap { _ in (0..<256).map(UInt8.init) }
        #expect(try archive.contents(of: archive.entries[2], maxBytes: 1 << 20) == expected)
    }

    @Test func anEntryLargerThanTheLimitIsRefusedBeforeItIsUnpacked() throws {
        let archive = try ZipArchive(archiveBytes)
        #expect(throws: KilnError.self) { try archive.contents(of: archive.entries[2], maxBytes: 1000) }
        do {
            _ = try archive.contents(of: archive.entries[2], maxBytes: 1000)
        } catch let error as KilnError {
            #expect(error.code == .payloadTooLarge)
        }
    }

    @Test func notAZipIsInvalid() {
        for bytes in [[UInt8](), Array("PK\u{3}\u{4} not really".utf8), [UInt8](repeating: 0, count: 100)] {
            #expect(Self.code { _ = try ZipArchive(bytes) } == ErrorCode.invalidZip)
        }
    }

    /// Every single-byte change and every truncation either reads or fails with a 4xx code;
    /// none may trap. A changed byte inside the data is caught by the CRC-32.
    @Test func corruptionIsRefusedNeverTrapped() {
        for length in 0..<archiveBytes.count {
            #expect(Self.readEverything(Array(archiveBytes[..<length])) != .internal)
        }
        for position in archiveBytes.indices {
            var changed = archiveBytes
            changed[position] ^= 0x5A
            #expect(Self.readEverything(changed) != .internal)
        }
        var flipped = archiveBytes
        let dataStart = 30 + "stored.txt".utf8.count
        flipped[dataStart] ^= 1
        #expect(Self.readEverything(flipped) == ErrorCode.invalidZip)
    }

    static func readEverything(_ bytes: [UInt8]) -> ErrorCode? {
        code {
            let archive = try ZipArchive(bytes)
            for entry in archive.entries { _ = try archive.contents(of: entry, maxBytes: 1 << 20) }
        }
    }

    static func code(_ body: () throws -> Void) -> ErrorCode? {
        do {
            try body()
            return nil
        } catch let error as KilnError {
            return error.code
        } catch {
            return .internal
        }
    }
}
