import Foundation
import NIOCore

/// One buffer as an async sequence of buffers (what `BlobStore.write` takes).
public struct SingleChunk: AsyncSequence, Sendable {
    let buffer: ByteBuffer

    public init(buffer: ByteBuffer) {
        self.buffer = buffer
    }

    public init(bytes: [UInt8]) {
        buffer = ByteBuffer(bytes: bytes)
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var buffer: ByteBuffer?
        public mutating func next() async throws -> ByteBuffer? {
            defer { buffer = nil }
            return buffer
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(buffer: buffer) }
}

/// A file read in 64 KiB buffers, so that storing it never holds it whole in memory.
public struct FileChunks: AsyncSequence, Sendable {
    let url: URL

    public init(url: URL) {
        self.url = url
    }

    public final class AsyncIterator: AsyncIteratorProtocol {
        private let handle: FileHandle?
        private let url: URL

        init(url: URL) {
            self.url = url
            handle = FileHandle(forReadingAtPath: url.path)
        }

        deinit { try? handle?.close() }

        public func next() async throws -> ByteBuffer? {
            guard let handle else { throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: url.path]) }
            guard let data = try handle.read(upToCount: 65_536), !data.isEmpty else { return nil }
            return ByteBuffer(bytes: data)
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(url: url) }
}
