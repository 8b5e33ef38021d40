/// A role a caller can hold. The set is open: the platform's three are below, and apps add
/// their own (`KilnApp.roles`); which roles a server accepts is its `RoleCatalog`.
public struct Role: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    public var description: String { rawValue }

    /// Manages keys, models and the server.
    public static let admin = Role("admin")
    /// A person using the apps and the inference API.
    public static let user = Role("user")
    /// Another program calling Kiln (a backend, a batch client).
    public static let service = Role("service")
    /// Reviews predictions (confirms or corrects them) for the feedback loop.
    public static let reviewer = Role("reviewer")

    public static let platform: [Role] = [.admin, .user, .service, .reviewer]
}

/// The roles a server accepts in keys and tokens: the platform's and its apps'.
public struct RoleCatalog: Sendable {
    public let roles: [Role]

    public init(_ roles: [Role]) {
        var seen = Set<Role>()
        self.roles = roles.filter { seen.insert($0).inserted }
    }

    public static let platform = RoleCatalog(Role.platform)

    /// The role named `name`, or an `invalid_argument` error listing the accepted ones.
    public func role(named name: String) throws -> Role {
        let role = Role(name)
        guard roles.contains(role) else {
            throw KilnError.invalidArgument("role must be one of: \(roles.map(\.rawValue).joined(separator: ", ")) (got '\(name.prefix(64))')")
        }
        return role
    }
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
