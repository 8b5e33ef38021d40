import Crypto
import Foundation
import Hummingbird
import Testing

@Suite struct BlobsAPITests {
    @Test func uploadDownloadDeduplicateAndDelete() async throws {
        try await withLiveServer { server async throws in
            let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            let digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()

            let first = try await server.request(.post, "/v1/blobs", key: server.adminKey, body: ByteBuffer(bytes: bytes))
            #expect(first.status == .created)
            let object = try first.jsonObject()
            #expect(object["sha256"] as? String == digest)
            #expect(object["size"] as? Int == bytes.count)
            #expect(first.headers[.location] == "/v1/blobs/\(digest)")

            let second = try await server.request(.post, "/v1/blobs", key: server.adminKey, body: ByteBuffer(bytes: bytes))
            #expect(second.status == .ok)
            #expect(try second.jsonObject()["created"] as? Bool == false)

            let download = try await server.request(.get, "/v1/blobs/\(digest)", key: server.adminKey)
            #expect(download.status == .ok)
            #expect(Array(download.body.readableBytesView) == bytes)

            let user = try await server.createKey(role: .user)
            #expect(try await server.request(.delete, "/v1/blobs/\(digest)", key: user.secret).status == .forbidden)
            #expect(try await server.request(.delete, "/v1/blobs/\(digest)", key: server.adminKey).status == .noContent)
            #expect(try await server.request(.get, "/v1/blobs/\(digest)", key: server.adminKey).status == .notFound)
        }
    }

    @Test func anEmptyBodyStoresTheEmptyBlob() async throws {
        try await withLiveServer { server async throws in
            let empty = try await server.request(.post, "/v1/blobs", key: server.adminKey, body: ByteBuffer())
            #expect(empty.status == .created)
            let emptyDigest = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
            #expect(try empty.jsonObject()["sha256"] as? String == emptyDigest)
            let download = try await server.request(.get, "/v1/blobs/\(emptyDigest)", key: server.adminKey)
            #expect(download.status == .ok && download.body.readableBytes == 0)
        }
    }

    @Test func malformedDigestsAreInvalidArgument() async throws {
        try await withLiveServer { server async throws in
            for digest in ["abc", String(repeating: "G", count: 64), "..%2F..%2Fkiln.sqlite"] {
                let response = try await server.request(.get, "/v1/blobs/\(digest)", key: server.adminKey)
                #expect(response.status == .badRequest, "\(digest)")
                #expect(try response.errorCode() == "invalid_argument")
            }
        }
    }
}
