import Foundation
import KilnCore
import KilnStore
import NIOCore

/// Run artifacts: files addressed by path under the artifact root (`<experiment>/<run>/artifacts/…`),
/// their bytes kept in Kiln's content-addressed blob store. Paths are names in an index, never
/// file-system paths, so no path can reach outside the store; unsafe ones are refused anyway.
public struct ArtifactService: Sendable {
    public let blobs: BlobStore
    let index: any ArtifactRepository
    let references: any BlobReferenceRepository
    let maxUploadBytes: Int

    static let referenceKind = "artifact"

    public init(blobs: BlobStore, index: any ArtifactRepository, references: any BlobReferenceRepository, maxUploadBytes: Int) {
        self.blobs = blobs
        self.index = index
        self.references = references
        self.maxUploadBytes = maxUploadBytes
    }

    /// One entry of a folder listing: a file with its size, or a sub-folder.
    public struct Entry: Sendable, Hashable {
        public var name: String
        public var isDirectory: Bool
        public var size: Int64?
    }

    /// Normalises `raw` (no leading or trailing `/`) and refuses `..`, `.`, empty segments,
    /// absolute paths, backslashes and control characters.
    public static func safePath(_ raw: String, allowEmpty: Bool = false) throws -> String {
        var path = raw
        while path.hasSuffix("/") { path.removeLast() }
        if path.isEmpty && allowEmpty { return "" }
        func refuse(_ why: String) -> KilnError {
            KilnError.invalidArgument("Invalid artifact path: '\(raw.prefix(200))'. \(why)")
        }
        guard !path.isEmpty else { throw refuse("The path is empty.") }
        guard path.utf8.count <= 4096 else { throw refuse("The path is longer than 4096 bytes.") }
        guard !path.hasPrefix("/") else { throw refuse("Absolute paths are not allowed.") }
        guard !path.contains("\\"), !path.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw refuse("Backslashes and control characters are not allowed.")
        }
        for segment in path.split(separator: "/", omittingEmptySubsequences: false) {
            guard !segment.isEmpty, segment != ".", segment != ".." else {
                throw refuse("Segments '..', '.' and empty segments are not allowed.")
            }
        }
        return path
    }

    /// The store path behind an `mlflow-artifacts:/X` URI (X, checked by `safePath`); nil for
    /// URIs of other schemes, whose files are not in Kiln's store.
    public static func path(ofURI uri: String) throws -> String? {
        let scheme = "mlflow-artifacts:"
        guard uri.hasPrefix(scheme) else { return nil }
        return try safePath(String(uri.dropFirst(scheme.count).drop { $0 == "/" }))
    }

    /// Streams `body` into the blob store and points `path` at it (replacing an earlier file).
    public func put<Body: AsyncSequence>(path raw: String, body: Body) async throws -> ArtifactFile where Body.Element == ByteBuffer {
        let path = try Self.safePath(raw)
        if try await !index.files(under: path).isEmpty {
            throw KilnError.invalidArgument("Invalid artifact path: '\(path.prefix(200))' is a folder")
        }
        let (blob, _) = try await blobs.write(body, limit: maxUploadBytes)
        let file = ArtifactFile(path: path, sha256: blob.sha256, size: blob.size)
        try await references.add(sha256: blob.sha256, kind: Self.referenceKind, id: path)
        if let previous = try await index.put(file, now: epochMilliseconds()), previous.sha256 != blob.sha256 {
            try await release(previous)
        }
        return file
    }

    /// The immediate children of the folder at `path`; empty for a file or a missing path.
    public func list(path raw: String) async throws -> [Entry] {
        let path = try Self.safePath(raw, allowEmpty: true)
        let files = try await index.files(under: path)
        var entries: [String: Entry] = [:]
        for file in files {
            let relative = path.isEmpty ? Substring(file.path) : file.path.dropFirst(path.count + 1)
            if let slash = relative.firstIndex(of: "/") {
                let name = String(relative[..<slash])
                entries[name] = Entry(name: name, isDirectory: true, size: nil)
            } else {
                entries[String(relative)] = Entry(name: String(relative), isDirectory: false, size: file.size)
            }
        }
        return entries.values.sorted { $0.name < $1.name }
    }

    /// Every file below the folder at `path`, with paths relative to it.
    public func files(under raw: String) async throws -> [ArtifactFile] {
        let path = try Self.safePath(raw, allowEmpty: true)
        return try await index.files(under: path).map { file in
            var relative = file
            relative.path = String(path.isEmpty ? Substring(file.path) : file.path.dropFirst(path.count + 1))
            return relative
        }
    }

    /// The stored file at `path` and where its bytes are; `not_found` when there is none.
    public func file(path raw: String) async throws -> (file: ArtifactFile, url: URL) {
        let path = try Self.safePath(raw)
        guard let file = try await index.file(at: path), let url = blobs.fileURL(sha256: file.sha256) else {
            throw KilnError.notFound("Artifact '\(path.prefix(200))' does not exist")
        }
        return (file, url)
    }

    /// Deletes the file or the whole folder at `path`; `not_found` when nothing is there.
    public func delete(path raw: String) async throws {
        let path = try Self.safePath(raw)
        let removed = try await index.delete(path: path)
        guard !removed.isEmpty else { throw KilnError.notFound("Artifact '\(path.prefix(200))' does not exist") }
        for file in removed { try await release(file) }
    }

    /// Copies the folder at `path` into `directory` (which must exist), keeping sub-folders.
    public func materialize(path: String, into directory: URL) async throws {
        for file in try await files(under: path) {
            guard let source = blobs.fileURL(sha256: file.sha256) else {
                throw KilnError(.internal, "artifact blob \(file.sha256) is missing")
            }
            let destination = directory.appendingPathComponent(file.path)
            try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: source, to: destination)
        }
    }

    /// Drops the file's reference and deletes the blob once nothing else refers to it.
    private func release(_ file: ArtifactFile) async throws {
        try await references.remove(sha256: file.sha256, kind: Self.referenceKind, id: file.path)
        if try await references.referenceCount(sha256: file.sha256) == 0 {
            try blobs.delete(sha256: file.sha256)
        }
    }
}
