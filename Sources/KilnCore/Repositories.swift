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

/// A label (`production`, `staging`, …) pointing at one version of a model.
public struct ModelAlias: Sendable, Codable, Hashable {
    public var model: String
    public var alias: String
    public var version: Int
    public var updatedAt: Date

    public init(model: String, alias: String, version: Int, updatedAt: Date) {
        self.model = model
        self.alias = alias
        self.version = version
        self.updatedAt = updatedAt
    }

    /// Letters, digits, `-` and `_`, starting with a letter, so that an alias never reads as a version number.
    public static func isValidName(_ alias: String) -> Bool {
        guard let first = alias.unicodeScalars.first, alias.count <= 64, CharacterSet.letters.contains(first), first.isASCII else {
            return false
        }
        return alias.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_") }
    }
}

public protocol ModelAliasRepository: Sendable {
    func set(_ alias: ModelAlias) async throws
    /// Returns false when the alias did not exist.
    func remove(model: String, alias: String) async throws -> Bool
    func all() async throws -> [ModelAlias]
}
