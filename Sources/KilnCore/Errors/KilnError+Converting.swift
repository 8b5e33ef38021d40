import Foundation

extension KilnError {
    /// The error a client may see for `error`, when Kiln knows one: a `KilnError` itself, an
    /// engine's `KilnErrorConvertible` answer, or `storageFull` for a write that ran out of disk
    /// or quota. Nil for anything else, which callers answer as `internal` (and log).
    public init?(converting error: any Error) {
        switch error {
        case let error as KilnError: self = error
        case let error as any KilnErrorConvertible: self = error.kilnError
        case let error where Self.isOutOfSpace(error): self = .storageFull
        default: return nil
        }
    }

    /// A write that failed because the disk or quota is full, as Foundation (`FileHandle`,
    /// `Data.write`, `FileManager`) or a POSIX call reports it.
    static func isOutOfSpace(_ error: any Error) -> Bool {
        if let error = error as? CocoaError, error.code == .fileWriteOutOfSpace { return true }
        if let error = error as? POSIXError, error.code == .ENOSPC || error.code == .EDQUOT { return true }
        let error = error as NSError
        if error.domain == NSPOSIXErrorDomain, error.code == Int(ENOSPC) || error.code == Int(EDQUOT) { return true }
        if let underlying = error.userInfo[NSUnderlyingErrorKey] as? any Error, (underlying as NSError) !== error { return isOutOfSpace(underlying) }
        return false
    }
}
