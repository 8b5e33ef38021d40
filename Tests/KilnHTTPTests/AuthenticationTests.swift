import Foundation
import HTTPTypes
import Hummingbird
import JWTKit
import KilnCore
import KilnHTTP
import Testing

@Suite struct AuthenticationTests {
    @Test func publicEndpointsNeedNoCredentials() async throws {
        try await withLiveServer { server async throws in
            for path in ["/health", "/ready", "/metrics"] {
                #expect(try await server.request(.get, path).status == .ok, "\(path)")
            }
        }
    }

    @Test func everythingElseRequiresCredentials() async throws {
        try await withLiveServer { server async throws in
            for path in ["/v1/keys", "/openapi.json", "/v1/audit", "/no/such/route"] {
                let response = try await server.request(.get, path)
                #expect(response.status == .unauthorized, "\(path)")
                #expect(try response.errorCode() == "unauthenticated")
                #expect(response.headers[.wwwAuthenticate] == "Bearer realm=\"kiln\"")
            }
            let wrongKey = try await server.request(.get, "/v1/keys", key: "kiln_not-a-real-key")
            #expect(wrongKey.status == .unauthorized)
            let basic = try await server.request(.get, "/v1/keys", headers: [.authorization: "Basic YWRtaW46YWRtaW4="])
            #expect(basic.status == .unauthorized)
        }
    }

    @Test func rolesAreEnforcedPerEndpoint() async throws {
        try await withLiveServer { server async throws in
            let user = try await server.createKey(role: .user)
            let service = try await server.createKey(role: .service)
            for key in [user.secret, service.secret] {
                let response = try await server.request(.get, "/v1/keys", key: key)
                #expect(response.status == .forbidden)
                #expect(try response.errorCode() == "permission_denied")
                let upload = try await server.request(.post, "/v1/blobs", key: key, body: ByteBuffer(string: "hello"))
                #expect(upload.status == .created || upload.status == .ok)
            }
            #expect(try await server.request(.get, "/v1/keys", key: server.adminKey).status == .ok)
            #expect(try await server.request(.get, "/v1/audit", key: server.adminKey).status == .ok)
        }
    }

    @Test func revocationTakesEffectImmediately() async throws {
        try await withLiveServer { server async throws in
            let user = try await server.createKey(role: .user)
            #expect(try await server.request(.get, "/openapi.json", key: user.secret).status == .ok)
            let revoke = try await server.request(.delete, "/v1/keys/\(user.id)", key: server.adminKey)
            #expect(revoke.status == .noContent)
            #expect(try await server.request(.get, "/openapi.json", key: user.secret).status == .unauthorized)
            let again = try await server.request(.delete, "/v1/keys/\(user.id)", key: server.adminKey)
            #expect(again.status == .conflict)
            let unknown = try await server.request(.delete, "/v1/keys/key_000000000000", key: server.adminKey)
            #expect(unknown.status == .notFound)
        }
    }

    @Test func lastAdminKeyCannotBeRevoked() async throws {
        try await withLiveServer { server async throws in
            let keys = try await server.request(.get, "/v1/keys", key: server.adminKey).jsonObject()["keys"] as? [[String: Any]]
            let adminID = try #require(keys?.first?["id"] as? String)
            let response = try await server.request(.delete, "/v1/keys/\(adminID)", key: server.adminKey)
            #expect(response.status == .conflict)
            #expect(try await server.request(.get, "/v1/keys", key: server.adminKey).status == .ok)
        }
    }

    @Test func keyCreationIsAudited() async throws {
        try await withLiveServer { server async throws in
            let created = try await server.createKey(role: .service)
            let page = try await server.request(.get, "/v1/audit?limit=1", key: server.adminKey).jsonObject()
            let entry = try #require((page["entries"] as? [[String: Any]])?.first)
            #expect(entry["action"] as? String == "key.create")
            #expect(entry["target"] as? String == created.id)
            let badLimit = try await server.request(.get, "/v1/audit?limit=abc", key: server.adminKey)
            #expect(badLimit.status == .badRequest)
        }
    }

    @Test func hs256BearerTokensCarryARole() async throws {
        let secret = String(repeating: "s", count: 40)
        try await withLiveServer(configure: { $0.jwtHS256Secret = secret }) { server async throws in
            let signer = JWTKeyCollection()
            await signer.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
            let admin = try await signer.sign(TestClaims(role: "admin", expiresIn: 60))
            let user = try await signer.sign(TestClaims(role: "user", expiresIn: 60))
            let expired = try await signer.sign(TestClaims(role: "admin", expiresIn: -60))
            let unknownRole = try await signer.sign(TestClaims(role: "root", expiresIn: 60))
            #expect(try await server.request(.get, "/v1/keys", key: admin).status == .ok)
            #expect(try await server.request(.get, "/v1/keys", key: user).status == .forbidden)
            #expect(try await server.request(.get, "/v1/keys", key: expired).status == .unauthorized)
            #expect(try await server.request(.get, "/v1/keys", key: unknownRole).status == .unauthorized)

            let forger = JWTKeyCollection()
            await forger.add(hmac: HMACKey(from: String(repeating: "x", count: 40)), digestAlgorithm: .sha256)
            let forged = try await forger.sign(TestClaims(role: "admin", expiresIn: 60))
            #expect(try await server.request(.get, "/v1/keys", key: forged).status == .unauthorized)
        }
    }

    @Test func es256BearerTokensAreVerifiedWithThePublicKey() async throws {
        let privateKey = ES256PrivateKey()
        let pemFile = FileManager.default.temporaryDirectory.appendingPathComponent("es256-\(UUID().uuidString).pem")
        try privateKey.publicKey.pemRepresentation.write(to: pemFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: pemFile) }
        try await withLiveServer(configure: { $0.jwtES256PublicKeyFile = pemFile.path }) { server async throws in
            let signer = JWTKeyCollection()
            await signer.add(ecdsa: privateKey)
            let service = try await signer.sign(TestClaims(role: "service", expiresIn: 60))
            #expect(try await server.request(.get, "/openapi.json", key: service).status == .ok)
            #expect(try await server.request(.get, "/v1/keys", key: service).status == .forbidden)

            let other = JWTKeyCollection()
            await other.add(ecdsa: ES256PrivateKey())
            let forged = try await other.sign(TestClaims(role: "admin", expiresIn: 60))
            #expect(try await server.request(.get, "/v1/keys", key: forged).status == .unauthorized)
        }
    }

    @Test func tokensAreRefusedWhenNoVerifierIsConfigured() async throws {
        try await withLiveServer { server async throws in
            let response = try await server.request(.get, "/openapi.json", key: "eyJhbGciOiJIUzI1NiJ9.e30.sig")
            #expect(response.status == .unauthorized)
        }
    }

    @Test func anonymousAccessActsAsUserOnLoopback() async throws {
        try await withLiveServer(configure: { $0.allowAnonymous = true }) { server async throws in
            #expect(try await server.request(.get, "/openapi.json").status == .ok)
            #expect(try await server.request(.get, "/v1/keys").status == .forbidden)
        }
    }

    @Test func anonymousAccessIsRefusedOffLoopback() async throws {
        await #expect(throws: KilnError.self) {
            try await withLiveServer(configure: { $0.allowAnonymous = true; $0.host = "0.0.0.0" }) { _ in }
        }
    }
}

struct TestClaims: JWTPayload {
    var sub: SubjectClaim = "test-subject"
    var exp: ExpirationClaim
    var role: String

    init(role: String, expiresIn seconds: TimeInterval) {
        self.role = role
        self.exp = ExpirationClaim(value: Date().addingTimeInterval(seconds))
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
