#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import KilnCore

/// An open file being written; either committed (fsync, rename, fsync of the directory) or
/// discarded (closed and unlinked). Owns its descriptor.
final class TemporaryFile: @unchecked Sendable {
    // @unchecked: the descriptor is used by one writer at a time (the upload that owns it).
    private var descriptor: Int32
    let path: String

    init(path: String) throws {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw Self.posixError("create \(path)") }
    }

    deinit {
        if descriptor >= 0 {
            close(descriptor)
            unlink(path)
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw Self.posixError("write \(path)")
            }
            offset += written
        }
    }

    func sync() throws {
        guard fsync(descriptor) == 0 else { throw Self.posixError("fsync \(path)") }
    }

    /// Moves the (already synced) file to `destination` and makes the rename durable.
    func commit(to destination: URL) throws {
        close(descriptor)
        descriptor = -1
        do {
            try Self.durablyMove(path, to: destination)
        } catch {
            unlink(path)
            throw error
        }
    }

    /// Renames a synced file into place and fsyncs the destination folder, so that the name
    /// survives a crash.
    static func durablyMove(_ path: String, to destination: URL) throws {
        let directory = destination.deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        guard rename(path, destination.path) == 0 else { throw posixError("rename into \(destination.path)") }
        let directoryDescriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }

    /// Flushes a finished file written by someone else to disk.
    static func sync(path: String) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw posixError("open \(path)") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw posixError("fsync \(path)") }
    }

    func discard() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
        unlink(path)
    }

    /// A full disk or quota is the client's to know about (507, retry later), without the path;
    /// anything else is internal (its message, with the path, reaches only the log).
    private static func posixError(_ operation: String) -> KilnError {
        if errno == ENOSPC || errno == EDQUOT {
            return .storageFull
        }
        return KilnError(.internal, "\(operation) failed: \(String(cString: strerror(errno)))")
    }
}
