import Foundation
import Synchronization

/// Creates, lists, revokes and verifies API keys, and records each change in the audit log.
///
/// Verification is on every authenticated request, so verified keys are cached in memory; a
/// revocation through this service evicts the key at once. Entries also expire after
/// `cacheTTL`, which bounds how long a revocation made by another Kiln process sharing the
/// database takes to apply.
public final class KeyService: Sendable {
    private let keys: any APIKeyRepository
    private let audit: any AuditLogRepository
    private let cacheTTL: Duration
    private let cache = Mutex<[String: CachedKey]>([:])

    private struct CachedKey {
        var record: APIKeyRecord
        var expires: ContinuousClock.Instant
    }

    public init(keys: any APIKeyRepository, audit: any AuditLogRepository, cacheTTL: Duration = .seconds(5)) {
        self.keys = keys
        self.audit = audit
        self.cacheTTL = cacheTTL
    }

    public func create(role: Role, name: String?, actor: String) async throws -> NewAPIKey {
        let name = try Self.validatedName(name ?? "\(role.rawValue) key")
        let secret = APIKeySecret.generate()
        let record = APIKeyRecord(id: APIKeySecret.newID(), name: name, role: role, createdAt: Date())
        try await keys.insert(record, secretHash: APIKeySecret.hash(secret))
        try await audit.append(AuditEntry(
            at: record.createdAt, actor: actor, action: "key.create", target: record.id,
            details: ["role": .string(role.rawValue), "name": .string(name)]))
        return NewAPIKey(record: record, secret: secret)
    }

    public func list() async throws -> [APIKeyRecord] {
        try await keys.list()
    }

    public func revoke(id: String, actor: String) async throws -> APIKeyRecord {
        guard let existing = try await keys.find(id: id) else {
            throw KilnError.notFound("no API key with id '\(id)'")
        }
        guard !existing.isRevoked else {
            throw KilnError.conflict("API key '\(id)' is already revoked")
        }
        // Revoking the last working admin key would lock every operator out of the server.
        if existing.role == .admin {
            let activeAdmins = try await keys.list().filter { $0.role == .admin && !$0.isRevoked }
            guard activeAdmins.count > 1 else {
                throw KilnError.conflict("cannot revoke the last active admin key; create another admin key first")
            }
        }
        let now = Date()
        _ = try await keys.revoke(id: id, at: now)
        cache.withLock { cache in cache = cache.filter { $0.value.record.id != id } }
        try await audit.append(AuditEntry(at: now, actor: actor, action: "key.revoke", target: id))
        var revoked = existing
        revoked.revokedAt = now
        return revoked
    }

    /// The principal for a presented secret, or nil when the secret is unknown or revoked.
    public func verify(secret: String) async throws -> Principal? {
        guard secret.hasPrefix(APIKeySecret.prefix), secret.utf8.count < 200 else { return nil }
        let hash = APIKeySecret.hash(secret)
        let now = ContinuousClock.now
        if let cached = cache.withLock({ $0[hash] }), cached.expires > now {
            return Principal(id: cached.record.id, role: cached.record.role, kind: .apiKey)
        }
        guard let record = try await keys.find(secretHash: hash), !record.isRevoked else {
            cache.withLock { _ = $0.removeValue(forKey: hash) }
            return nil
        }
        cache.withLock { $0[hash] = CachedKey(record: record, expires: now + cacheTTL) }
        return Principal(id: record.id, role: record.role, kind: .apiKey)
    }

    public func hasAnyKey() async throws -> Bool {
        try await keys.count() > 0
    }

    static func validatedName(_ name: String) throws -> String {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= 100, !trimmed.contains(where: { $0.isNewline || $0.asciiValue.map { $0 < 32 } == true }) else {
            throw KilnError.invalidArgument("key name must be 1 to 100 printable characters", details: ["field": "name"])
        }
        return trimmed
    }
}
