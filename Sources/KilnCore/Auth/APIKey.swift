import Crypto
import Foundation

/// A stored API key. The secret itself is never stored, only its SHA-256.
public struct APIKeyRecord: Sendable, Codable, Hashable {
    public var id: String
    public var name: String
    public var role: Role
    public var createdAt: Date
    public var revokedAt: Date?

    public init(id: String, name: String, role: Role, createdAt: Date, revokedAt: Date? = nil) {
        self.id = id
        self.name = name
        self.role = role
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    public var isRevoked: Bool { revokedAt != nil }
}

/// A freshly generated key: the record plus the secret, which is shown to the caller exactly once.
public struct NewAPIKey: Sendable {
    public var record: APIKeyRecord
    public var secret: String
}

/// Generation and hashing of API key secrets.
///
/// A secret is `kiln_` followed by 32 random bytes in base64url. With 256 bits of entropy a
/// plain SHA-256 is a safe verifier (no need for a slow password hash), and it makes lookup by
/// hash an indexed equality query.
public enum APIKeySecret {
    public static let prefix = "kiln_"

    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return prefix + Base64URL.encode(bytes)
    }

    public static func hash(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).hexString
    }

    /// A short, non-secret identifier used to list and revoke keys.
    public static func newID() -> String {
        var generator = SystemRandomNumberGenerator()
        return "key_" + (0..<6).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &generator)) }.joined()
    }
}

public enum Base64URL {
    public static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

extension Digest {
    /// Lower-case hex, the form used for blob names and key hashes.
    public var hexString: String {
        // Per request on every API-key check: built in one buffer, not a String per byte.
        let digits = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: Self.byteCount * 2) { text in
            var index = 0
            for byte in self {
                text[index] = digits[Int(byte >> 4)]
                text[index + 1] = digits[Int(byte & 0x0F)]
                index += 2
            }
            return index
        }
    }
}
