import KilnCore
import SQLiteKit

/// What a client is told when SQLite refuses a statement. SQLite's own message names tables,
/// columns and statements, so it only goes to the log (with the request id).
extension SQLiteError: KilnErrorConvertible {
    public var kilnError: KilnError {
        switch reason {
        case .full:
            // SQLITE_FULL: the database or its WAL could not grow. The transaction was rolled back.
            return .storageFull
        case .busy, .busyTimeout, .busyInRecovery, .busyInSnapshot, .locked, .lockedBySharedCache:
            // Another process held the database past busy_timeout (a backup, a manual sqlite3 session).
            return KilnError(.unavailable, "the database is busy; nothing was changed, retry shortly",
                             details: ["retry_after_seconds": 1])
        default:
            return KilnError(.internal, "internal error")
        }
    }
}
