#if canImport(Glibc)
import Glibc
#endif
import Foundation
import KilnCore

/// The layout of the data directory (`KILN_HOME`): `kiln.sqlite`, `blobs/`, `models/`, `logs/`.
public struct DataDirectory: Sendable {
    public let root: URL

    public init(path: String) {
        root = URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL
    }

    public var blobs: URL { root.appendingPathComponent("blobs", isDirectory: true) }
    public var models: URL { root.appendingPathComponent("models", isDirectory: true) }
    public var logs: URL { root.appendingPathComponent("logs", isDirectory: true) }
    public var adminKeyFile: URL { root.appendingPathComponent("admin.key") }

    public func create() throws {
        for directory in [root, blobs, models, logs] {
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            } catch {
                throw KilnError(.unavailable, "cannot create data directory \(directory.path): \(error.localizedDescription)")
            }
        }
    }

    /// Writes a secret readable by the owner only; the mode is set at creation, never widened.
    public func writeSecret(_ text: String, to url: URL) throws {
        unlink(url.path)
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw KilnError(.internal, "cannot create \(url.path)") }
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        guard bytes.withUnsafeBytes({ write(descriptor, $0.baseAddress, $0.count) }) == bytes.count, fsync(descriptor) == 0 else {
            throw KilnError(.internal, "cannot write \(url.path)")
        }
    }
}
