import Foundation

/// Figures about this process, read from /proc on Linux.
public enum ProcessStats {
    /// Resident set size in bytes, or nil where /proc is unavailable.
    public static func residentMemoryBytes() -> Int? {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = statm.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
