/// The roles a caller can hold. Apps may define more later; these three are the core ones.
public enum Role: String, Sendable, Codable, CaseIterable {
    /// Manages keys, models and the server.
    case admin
    /// A person using the apps and the inference API.
    case user
    /// Another program calling Kiln (a backend, a batch client).
    case service
    /// A clinician: may review the imaging app's predictions (confirm or correct them).
    case clinician
}

/// Who is making a request, once authenticated.
public struct Principal: Sendable, Hashable {
    public enum Kind: String, Sendable {
        case apiKey = "api_key"
        case jwt
        case anonymous
    }

    /// Stable identifier: the API key id, the JWT subject, or `anonymous`.
    public var id: String
    public var role: Role
    public var kind: Kind

    public init(id: String, role: Role, kind: Kind) {
        self.id = id
        self.role = role
        self.kind = kind
    }

    /// A name for logs and audit entries that cannot be confused across kinds.
    public var actor: String { "\(kind.rawValue):\(id)" }
}
