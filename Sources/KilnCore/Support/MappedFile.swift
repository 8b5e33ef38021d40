import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A whole file mapped read-only into memory as `Data`, for large files that are read once
/// end to end (an uploaded CSV: hashed and parsed at the same time from one mapping).
///
/// Unlike `Data(contentsOf:options: .alwaysMapped)`, the unmapping happens off the caller's
/// path: in a multi-threaded process `munmap` of tens of MiB waits for TLB shootdowns on every
/// core — ~11 ms for a 40 MB upload on the development VM, measured between the last use of the
/// data and the end of the request. (Pages are faulted in as they are read: `MAP_POPULATE`
/// made the CSV check slower, one thread faulting every page before the parallel scan starts.)
public enum MappedFile {
    public static func data(at url: URL) throws -> Data {
        let descriptor = open(url.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw posixError("open") }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw posixError("stat") }
        let size = Int(status.st_size)
        guard size > 0 else { return Data() }
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else {
            throw posixError("mmap")
        }
        let region = UnmappedLater(address: address, size: size)
        return Data(bytesNoCopy: address, count: size, deallocator: .custom { _, _ in region.unmap() })
    }

    private static func posixError(_ call: String) -> any Error {
        POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO, userInfo: [NSLocalizedDescriptionKey: "\(call) failed"])
    }

    /// The mapping's address as a sendable value: nothing else refers to it once its `Data` is gone.
    private struct UnmappedLater: @unchecked Sendable {
        let address: UnsafeMutableRawPointer
        let size: Int

        func unmap() {
            DispatchQueue.global(qos: .utility).async { munmap(address, size) }
        }
    }
}
