#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Free space of the volume that holds the data directory, as an unprivileged writer sees it
/// (`statvfs`' `f_bavail`: blocks reserved for root do not count).
public struct DiskSpace: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// Bytes a write could still use; nil when the volume cannot be asked.
    public func availableBytes() -> Int64? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        return Int64(info.f_bavail) * Int64(info.f_frsize)
    }
}
