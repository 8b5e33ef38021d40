import Crypto
import Foundation
import KilnCore
import KilnStore
import NIOCore
import Testing

/// Chunks of a byte array, as an upload would arrive.
struct Chunks: AsyncSequence, Sendable {
    let bytes: [UInt8]
    let size: Int

    struct AsyncIterator: AsyncIteratorProtocol {
        let bytes: [UInt8]
        let size: Int
        var offset = 0
        mutating func next() async throws -> ByteBuffer? {
            guard offset < bytes.count else { return nil }
            defer { offset += size }
            return ByteBuffer(bytes: bytes[offset..<Swift.min(offset + size, bytes.count)])
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(bytes: bytes, size: size) }
}

@Suite struct BlobStoreTests {
    func makeStore() throws -> BlobStore {
        try BlobStore(root: FileManager.default.temporaryDirectory.appendingPathComponent("kiln-blobs-\(UUID().uuidString)"))
    }

    @Test func streamsHashesAndDeduplicates() async throws {
        let store = try makeStore()
        let bytes = (0..<1_000_003).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let expected = SHA256.hash(data: bytes).hexString
        let (blob, created) = try await store.write(Chunks(bytes: bytes, size: 65_536), limit: 2_000_000)
        #expect(blob == BlobRef(sha256: expected, size: Int64(bytes.count)) && created)
        let url = try #require(store.fileURL(sha256: expected))
        #expect(url.path.hasSuffix("/\(expected.prefix(2))/\(expected.dropFirst(2))"))
        #expect(try Data(contentsOf: url) == Data(bytes))
        let again = try await store.write(Chunks(bytes: bytes, size: 1000), limit: 2_000_000)
        #expect(again.blob == blob && !again.created)
        #expect(store.size(sha256: expected) == Int64(bytes.count))
    }

    /// An upload already on disk becomes a blob by rename: visible only after commit, and a
    /// second copy of the same content is dropped instead of stored twice.
    @Test func adoptsAFinishedFileWithoutCopying() async throws {
        let store = try makeStore()
        let bytes = (0..<300_001).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        let expected = SHA256.hash(data: bytes).hexString
        let first = store.root.appendingPathComponent("tmp/upload-1")
        try Data(bytes).write(to: first)
        let prepared = try await store.prepare(adopting: first)
        #expect(prepared.blob == BlobRef(sha256: expected, size: Int64(bytes.count)))
        #expect(store.fileURL(sha256: expected) == nil)
        #expect(try await store.commit(prepared))
        #expect(try Data(contentsOf: #require(store.fileURL(sha256: expected))) == Data(bytes))
        #expect(!FileManager.default.fileExists(atPath: first.path))
        let second = store.root.appendingPathComponent("tmp/upload-2")
        try Data(bytes).write(to: second)
        #expect(try await !store.commit(store.prepare(adopting: second)))
        #expect(!FileManager.default.fileExists(atPath: second.path))
    }

    @Test func overLimitWritesLeaveNothingBehind() async throws {
        let store = try makeStore()
        let bytes = [UInt8](repeating: 1, count: 10_000)
        await #expect(throws: KilnError.self) { try await store.write(Chunks(bytes: bytes, size: 1000), limit: 5000) }
        let tmp = store.root.appendingPathComponent("tmp")
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path).isEmpty)
        #expect(store.fileURL(sha256: SHA256.hash(data: bytes).hexString) == nil)
    }

    @Test func incompleteWritesAreRemovedAtStart() async throws {
        let store = try makeStore()
        let leftover = store.root.appendingPathComponent("tmp/interrupted")
        try Data([1, 2, 3]).write(to: leftover)
        #expect(try store.removeIncompleteWrites() == 1)
        #expect(!FileManager.default.fileExists(atPath: leftover.path))
    }

    @Test func digestsAreValidatedBeforeTouchingTheFilesystem() throws {
        let store = try makeStore()
        #expect(!BlobStore.isValidDigest("../../etc/passwd"))
        #expect(!BlobStore.isValidDigest(String(repeating: "A", count: 64)))
        #expect(BlobStore.isValidDigest(String(repeating: "a", count: 64)))
        #expect(store.fileURL(sha256: "../tmp") == nil)
        #expect(try store.delete(sha256: String(repeating: "0", count: 64)) == false)
    }
}
