import Foundation
import HTTPTypes
import JWTKit
import KilnCore
import Testing

/// Tokens of an existing identity provider verify unchanged through the claim mapping.
@Suite struct JWTClaimMappingTests {
    /// A Django SimpleJWT access token as `rest_framework_simplejwt` issues it: `user_id` (an
    /// integer), `token_type`, `exp`, `iat`, `jti`, no role; `aud` only when the test adds one.
    struct SimpleJWTClaims: JWTPayload {
        var token_type: String
        var exp: ExpirationClaim
        var iat: IssuedAtClaim
        var jti: String
        var user_id: Int
        var aud: AudienceClaim?

        init(tokenType: String = "access", userID: Int = 42, expiresIn seconds: TimeInterval = 300, audience: String? = nil) {
            token_type = tokenType
            exp = ExpirationClaim(value: Date().addingTimeInterval(seconds))
            iat = IssuedAtClaim(value: Date())
            jti = UUID().uuidString.replacingOccurrences(of: "-", with: "")
            user_id = userID
            aud = audience.map { AudienceClaim(value: [$0]) }
        }

        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    static let secret = String(repeating: "d", count: 50)

    @Test func aSimpleJWTAccessTokenVerifiesWithTheDocumentedMapping() async throws {
        try await withLiveServer(configure: { config in
            config.jwtHS256Secret = Self.secret
            config.jwtClaims.subjectClaim = "user_id"
            config.jwtClaims.defaultRole = "user"
            config.jwtClaims.requiredClaims = ["token_type": "access"]
        }) { server async throws in
            let signer = JWTKeyCollection()
            await signer.add(hmac: HMACKey(from: Self.secret), digestAlgorithm: .sha256)
            let access = try await signer.sign(SimpleJWTClaims())
            let opened = try await server.request(.post, "/v1/sessions", key: access)
            #expect(opened.status == .created)
            let session = try opened.jsonObject()
            #expect(session["subject"] as? String == "42" && session["kind"] as? String == "jwt" && session["role"] as? String == "user")
            #expect(try await server.request(.get, "/openapi.json", key: access).status == .ok)
            #expect(try await server.request(.get, "/v1/keys", key: access).status == .forbidden)

            // The refresh token of the same pair is no access token.
            let refresh = try await signer.sign(SimpleJWTClaims(tokenType: "refresh"))
            let refused = try await server.request(.get, "/openapi.json", key: refresh)
            #expect(refused.status == .unauthorized)
            #expect(try refused.errorMessage().contains("token_type"))
            let expired = try await signer.sign(SimpleJWTClaims(expiresIn: -5))
            #expect(try await server.request(.get, "/openapi.json", key: expired).status == .unauthorized)
        }
    }

    @Test func withoutTheMappingSuchATokenIsRefused() async throws {
        try await withLiveServer(configure: { $0.jwtHS256Secret = Self.secret }) { server async throws in
            let signer = JWTKeyCollection()
            await signer.add(hmac: HMACKey(from: Self.secret), digestAlgorithm: .sha256)
            let response = try await server.request(.get, "/openapi.json", key: try await signer.sign(SimpleJWTClaims()))
            #expect(response.status == .unauthorized)
            #expect(try response.errorMessage().contains("'sub'"))
        }
    }

    @Test func theAudienceIsCheckedWhenConfigured() async throws {
        try await withLiveServer(configure: { config in
            config.jwtHS256Secret = Self.secret
            config.jwtClaims.subjectClaim = "user_id"
            config.jwtClaims.defaultRole = "user"
            config.jwtClaims.audiences = ["kiln"]
        }) { server async throws in
            let signer = JWTKeyCollection()
            await signer.add(hmac: HMACKey(from: Self.secret), digestAlgorithm: .sha256)
            let right = try await signer.sign(SimpleJWTClaims(audience: "kiln"))
            let wrong = try await signer.sign(SimpleJWTClaims(audience: "billing"))
            let none = try await signer.sign(SimpleJWTClaims())
            #expect(try await server.request(.get, "/openapi.json", key: right).status == .ok)
            let refused = try await server.request(.get, "/openapi.json", key: wrong)
            #expect(refused.status == .unauthorized)
            #expect(try refused.errorMessage().contains("audience"))
            #expect(try await server.request(.get, "/openapi.json", key: none).status == .unauthorized)
        }
    }
}
