import Crypto

/// The SHA-256 and size of bytes as they stream past (a blob being written).
public struct BlobDigest: Sendable {
    private var hasher = SHA256()
    private var size: Int64 = 0

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        hasher.update(bufferPointer: bytes)
        size += Int64(bytes.count)
    }

    public var byteCount: Int64 { size }

    public func finalize() -> BlobRef {
        BlobRef(sha256: hasher.finalize().hexString, size: size)
    }
}
