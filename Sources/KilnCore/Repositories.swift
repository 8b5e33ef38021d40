import Foundation

/// Persistence of API keys. One implementation per SQL backend lives in KilnStore.
public protocol APIKeyRepository: Sendable {
    func insert(_ record: APIKeyRecord, secretHash: String) async throws
    func find(secretHash: String) async throws -> APIKeyRecord?
    func find(id: String) async throws -> APIKeyRecord?
    func list() async throws -> [APIKeyRecord]
    /// Marks the key revoked; returns false when no such key exists.
    func revoke(id: String, at date: Date) async throws -> Bool
    func count() async throws -> Int
}

/// One administrative action, recorded for later inspection.
public struct AuditEntry: Sendable, Codable, Hashable {
    public var id: Int64?
    public var at: Date
    public var actor: String
    public var action: String
    public var target: String
    public var details: [String: JSONValue]

    public init(id: Int64? = nil, at: Date, actor: String, action: String, target: String, details: [String: JSONValue] = [:]) {
        self.id = id
        self.at = at
        self.actor = actor
        self.action = action
        self.target = target
        self.details = details
    }
}

public protocol AuditLogRepository: Sendable {
    func append(_ entry: AuditEntry) async throws
    /// Newest first; `before` pages backwards by entry id.
    func list(limit: Int, before: Int64?) async throws -> [AuditEntry]
}

/// Records which stored objects reference which blobs, so that unreferenced blobs can be freed.
public protocol BlobReferenceRepository: Sendable {
    func add(sha256: String, kind: String, id: String) async throws
    func remove(sha256: String, kind: String, id: String) async throws
    func referenceCount(sha256: String) async throws -> Int
}
