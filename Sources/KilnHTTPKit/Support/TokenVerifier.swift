import Foundation
import JWTKit
import KilnCore

/// Verifies JWT bearer tokens signed with HS256 (shared secret) or ES256 (P-256 public key).
///
/// Claims: `sub` (the caller), `role` (admin, user or service) and `exp` (required: a token
/// that never expires is refused).
public struct TokenVerifier: Sendable {
    public struct Claims: JWTPayload {
        public var sub: SubjectClaim
        public var exp: ExpirationClaim
        public var role: String

        public func verify(using algorithm: some JWTAlgorithm) async throws {
            try exp.verifyNotExpired()
        }
    }

    private let keys: JWTKeyCollection?
    private let roles: RoleCatalog

    /// No keys configured: every token is refused.
    public static let disabled = TokenVerifier(keys: nil, roles: .platform)

    private init(keys: JWTKeyCollection?, roles: RoleCatalog) {
        self.keys = keys
        self.roles = roles
    }

    /// - Parameter roles: the roles a token may carry (the platform's and the apps').
    public static func make(hs256Secret: String?, es256PublicKeyPEM: String?, roles: RoleCatalog = .platform) async throws -> TokenVerifier {
        guard hs256Secret != nil || es256PublicKeyPEM != nil else { return .disabled }
        let keys = JWTKeyCollection()
        if let hs256Secret {
            await keys.add(hmac: HMACKey(from: hs256Secret), digestAlgorithm: .sha256, kid: "hs256")
        }
        if let es256PublicKeyPEM {
            do {
                await keys.add(ecdsa: try ES256PublicKey(pem: es256PublicKeyPEM), kid: "es256")
            } catch {
                throw KilnError.invalidArgument("jwt_es256_public_key is not a PEM P-256 public key")
            }
        }
        return TokenVerifier(keys: keys, roles: roles)
    }

    public func verify(_ token: String) async throws -> Principal {
        guard let keys else {
            throw KilnError(.unauthenticated, "bearer tokens are not enabled on this server; use an API key")
        }
        let claims: Claims
        do {
            claims = try await keys.verify(token, as: Claims.self, iteratingKeys: true)
        } catch {
            throw KilnError(.unauthenticated, "invalid bearer token")
        }
        guard roles.roles.contains(Role(claims.role)) else {
            throw KilnError(.unauthenticated, "bearer token has an unknown role '\(claims.role)'")
        }
        return Principal(id: claims.sub.value, role: Role(claims.role), kind: .jwt)
    }
}
