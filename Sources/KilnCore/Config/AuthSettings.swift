/// Browser sessions (`POST /v1/sessions`) and upgrade tickets.
public struct SessionSettings: Sendable, Equatable {
    public var lifetimeSeconds: Double = 12 * 3600
    /// Mark the cookie Secure even when no proxy reports HTTPS (`X-Forwarded-Proto: https`).
    public var secureCookies = false
    public var ticketSeconds: Double = 30

    public init() {}
}

/// Which claims of a JWT name the caller and its role, and which issuers and audiences are
/// accepted, so that tokens of an existing identity provider verify as they are (a Django
/// SimpleJWT access token: `user_id`, `token_type`, no role).
public struct JWTClaimMapping: Sendable, Equatable {
    public var subjectClaim = "sub"
    public var roleClaim = "role"
    /// The role of a token without the role claim; nil refuses such a token.
    public var defaultRole: String?
    /// Accepted `iss` values; empty accepts any (or none).
    public var issuers: [String] = []
    /// Accepted `aud` values (a token's string or any of its list); empty accepts any.
    public var audiences: [String] = []
    /// Claims a token must carry with exactly these string values (SimpleJWT: `token_type=access`).
    public var requiredClaims: [String: String] = [:]

    public init() {}
}
