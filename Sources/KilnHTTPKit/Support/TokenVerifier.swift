import Foundation
import JWTKit
import KilnCore

/// Verifies JWT bearer tokens signed with HS256 (shared secret) or ES256 (P-256 public key).
///
/// Which claims name the caller and its role is configurable (`JWTClaimMapping`: by default
/// `sub` and `role`), so that an existing identity provider's tokens verify unchanged; `exp` is
/// always required (a token that never expires is refused), `nbf` is honoured, and the issuer,
/// audience and required claims are checked when configured.
public struct TokenVerifier: Sendable {
    /// Every claim as sent: which ones matter is the mapping's business.
    struct Claims: JWTPayload {
        var values: [String: JSONValue]

        init(from decoder: any Decoder) throws {
            values = try decoder.singleValueContainer().decode([String: JSONValue].self)
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(values)
        }

        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    private let keys: JWTKeyCollection?
    private let roles: RoleCatalog
    private let mapping: JWTClaimMapping

    /// No keys configured: every token is refused.
    public static let disabled = TokenVerifier(keys: nil, roles: .platform, mapping: .init())

    private init(keys: JWTKeyCollection?, roles: RoleCatalog, mapping: JWTClaimMapping) {
        self.keys = keys
        self.roles = roles
        self.mapping = mapping
    }

    /// - Parameter roles: the roles a token may carry (the platform's and the apps').
    public static func make(hs256Secret: String?, es256PublicKeyPEM: String?, roles: RoleCatalog = .platform,
                            mapping: JWTClaimMapping = .init()) async throws -> TokenVerifier {
        guard hs256Secret != nil || es256PublicKeyPEM != nil else { return .disabled }
        if let defaultRole = mapping.defaultRole, !roles.roles.contains(Role(defaultRole)) {
            throw KilnError.invalidArgument("jwt_default_role '\(defaultRole)' is not a role of this server")
        }
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
        return TokenVerifier(keys: keys, roles: roles, mapping: mapping)
    }

    public func verify(_ token: String, now: Date = Date()) async throws -> Principal {
        guard let keys else {
            throw KilnError(.unauthenticated, "bearer tokens are not enabled on this server; use an API key")
        }
        let claims: [String: JSONValue]
        do {
            claims = try await keys.verify(token, as: Claims.self, iteratingKeys: true).values
        } catch {
            throw KilnError(.unauthenticated, "invalid bearer token")
        }
        return try principal(claims, now: now.timeIntervalSince1970)
    }

    func principal(_ claims: [String: JSONValue], now: Double) throws -> Principal {
        guard case .number(let expires)? = claims["exp"] else { throw refused("it has no numeric 'exp'") }
        guard expires > now else { throw refused("it has expired") }
        if case .number(let notBefore)? = claims["nbf"], notBefore > now { throw refused("it is not valid yet ('nbf')") }
        if !mapping.issuers.isEmpty {
            guard case .string(let issuer)? = claims["iss"], mapping.issuers.contains(issuer) else { throw refused("its issuer is not accepted") }
        }
        if !mapping.audiences.isEmpty {
            let audiences: [String]
            switch claims["aud"] {
            case .string(let one)?: audiences = [one]
            case .array(let many)?: audiences = many.compactMap { if case .string(let value) = $0 { value } else { nil } }
            default: audiences = []
            }
            guard audiences.contains(where: mapping.audiences.contains) else { throw refused("its audience is not accepted") }
        }
        for (name, expected) in mapping.requiredClaims.sorted(by: { $0.key < $1.key }) {
            guard case .string(expected)? = claims[name] else { throw refused("its '\(name)' is not '\(expected)'") }
        }
        let subject: String
        switch claims[mapping.subjectClaim] {
        case .string(let value)? where !value.isEmpty: subject = value
        // SimpleJWT's `user_id` is the user's integer primary key.
        case .number(let value)? where value.rounded() == value && abs(value) < 1e15: subject = String(Int64(value))
        default: throw refused("it has no subject claim '\(mapping.subjectClaim)'")
        }
        let role: String
        switch claims[mapping.roleClaim] {
        case .string(let value)?: role = value
        case nil where mapping.defaultRole != nil: role = mapping.defaultRole!
        default: throw refused("it has no role claim '\(mapping.roleClaim)' and no jwt_default_role is set")
        }
        guard roles.roles.contains(Role(role)) else {
            throw KilnError(.unauthenticated, "bearer token has an unknown role '\(role.prefix(64))'")
        }
        return Principal(id: subject, role: Role(role), kind: .jwt)
    }

    private func refused(_ reason: String) -> KilnError {
        KilnError(.unauthenticated, "bearer token refused: \(reason)")
    }
}
