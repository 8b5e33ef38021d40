import Crypto
import Foundation
import KilnCore
import NIOCore
import NIOPosix

/// A stored blob: its SHA-256 (lower-case hex) and size in bytes.
public struct BlobRef: Sendable, Codable, Hashable {
    public var sha256: String
    public var size: Int64

    public init(sha256: String, size: Int64) {
        self.sha256 = sha256
        self.size = size
    }
}

/// Content-addressed files under `<data-dir>/blobs/`, named `ab/cdef…` by their SHA-256.
///
/// A write streams into `blobs/tmp/`, hashing as it goes, then fsyncs, renames into place and
/// fsyncs the directory. A blob is therefore visible under its name only once it is complete
/// and durable; a crash mid-write leaves only a temp file, removed by `removeIncompleteWrites`
/// at the next start.
public struct BlobStore: Sendable {
    public let root: URL
    private var temporaryDirectory: URL { root.appendingPathComponent("tmp", isDirectory: true) }

    public init(root: URL) throws {
        self.root = root
        try FileManager.default.createDirectory(at: root.appendingPathComponent("tmp"), withIntermediateDirectories: true)
    }

    public static func isValidDigest(_ text: some StringProtocol) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// Deletes temp files left by writes that never finished (the process died mid-upload).
    @discardableResult
    public func removeIncompleteWrites() throws -> Int {
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: temporaryDirectory.path)
        for name in leftovers {
            try? FileManager.default.removeItem(at: temporaryDirectory.appendingPathComponent(name))
        }
        return leftovers.count
    }

    /// The file of a complete blob, or nil when there is none with that digest.
    public func fileURL(sha256: String) -> URL? {
        guard Self.isValidDigest(sha256) else { return nil }
        let url = finalURL(sha256)
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    public func size(sha256: String) -> Int64? {
        guard let url = fileURL(sha256: sha256),
              let attributes = try? FileManager.default.attributesOfItem(atPath: url.path) else { return nil }
        return (attributes[.size] as? NSNumber)?.int64Value
    }

    /// Removes a blob; returns false when it did not exist. Callers check references first.
    @discardableResult
    public func delete(sha256: String) throws -> Bool {
        guard let url = fileURL(sha256: sha256) else { return false }
        try FileManager.default.removeItem(at: url)
        return true
    }

    /// Streams `chunks` into the store, failing with `payload_too_large` past `limit` bytes.
    /// Returns the blob and whether it was new (false: identical content was already stored).
    public func write<Chunks: AsyncSequence>(
        _ chunks: Chunks, limit: Int
    ) async throws -> (blob: BlobRef, created: Bool) where Chunks.Element == ByteBuffer {
        let temporary = temporaryDirectory.appendingPathComponent(UUID().uuidString)
        let file = try TemporaryFile(path: temporary.path)
        var digest = BlobDigest()
        do {
            for try await chunk in chunks {
                guard digest.byteCount + Int64(chunk.readableBytes) <= limit else {
                    throw KilnError(.payloadTooLarge, "upload exceeds the limit of \(limit) bytes",
                                    details: ["limit_bytes": .int(limit)])
                }
                try chunk.withUnsafeReadableBytes { bytes in
                    digest.update(bytes)
                    try file.write(bytes)
                }
            }
            try await NIOThreadPool.singleton.runIfActive { try file.sync() }
        } catch {
            file.discard()
            throw error
        }
        let blob = digest.finalize()
        let destination = finalURL(blob.sha256)
        if FileManager.default.fileExists(atPath: destination.path) {
            file.discard()
            return (blob, false)
        }
        try await NIOThreadPool.singleton.runIfActive {
            try file.commit(to: destination)
        }
        return (blob, true)
    }

    /// A finished file hashed and flushed to disk, ready to become a blob by rename.
    public struct PreparedFile: Sendable {
        public let blob: BlobRef
        let path: URL
    }

    /// Hashes and fsyncs a complete file that lies in the store's `tmp/` folder (an upload
    /// streamed there), without copying it. Nothing is visible until `commit`, so a caller can
    /// prepare while it still checks the content (a CSV upload hashes while it parses).
    /// - Parameter contents: the file's bytes when the caller has them mapped already.
    public func prepare(adopting file: URL, contents: Data? = nil) async throws -> PreparedFile {
        // The flush to disk is I/O and the hash is CPU: side by side.
        async let synced: Void = NIOThreadPool.singleton.runIfActive { try TemporaryFile.sync(path: file.path) }
        let blob = try await NIOThreadPool.singleton.runIfActive {
            let data = try contents ?? MappedFile.data(at: file)
            return BlobRef(sha256: SHA256.hash(data: data).hexString, size: Int64(data.count))
        }
        try await synced
        return PreparedFile(blob: blob, path: file)
    }

    /// Moves a prepared file into place; returns false (and removes the file) when identical
    /// content was already stored.
    @discardableResult
    public func commit(_ prepared: PreparedFile) async throws -> Bool {
        let destination = finalURL(prepared.blob.sha256)
        return try await NIOThreadPool.singleton.runIfActive {
            if FileManager.default.fileExists(atPath: destination.path) {
                try? FileManager.default.removeItem(at: prepared.path)
                return false
            }
            try TemporaryFile.durablyMove(prepared.path.path, to: destination)
            return true
        }
    }

    /// Stores bytes already in memory (small results, tests).
    public func write(bytes: [UInt8], limit: Int = .max) async throws -> BlobRef {
        try await write(SingleChunk(buffer: ByteBuffer(bytes: bytes)), limit: limit).blob
    }

    private func finalURL(_ digest: String) -> URL {
        root.appendingPathComponent(String(digest.prefix(2)), isDirectory: true)
            .appendingPathComponent(String(digest.dropFirst(2)))
    }
}
