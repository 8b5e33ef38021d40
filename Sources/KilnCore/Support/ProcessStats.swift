import CMalloc
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

    /// Bytes the allocator has handed out and not had back (glibc's `mallinfo2`: small blocks
    /// in every arena plus mmap-ed ones). Unlike the RSS it does not include freed memory the
    /// allocator keeps, so it shows what the process itself retains.
    public static func heapInUseBytes() -> Int {
        let info = mallinfo2()
        return Int(info.uordblks + info.hblkhd)
    }
}

extension ProcessStats {
    /// CPU time (user + system) this process has used, in seconds.
    public static func cpuSeconds() -> Double? {
        var usage = rusage()
        guard getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage) == 0 else { return nil }
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// The machine's memory: total and available bytes (/proc/meminfo), or nil.
    public static func systemMemory() -> (total: Int, available: Int)? {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) else { return nil }
        var total: Int?, available: Int?
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 2, let kib = Int(fields[1]) else { continue }
            if fields[0] == "MemTotal:" { total = kib * 1024 }
            if fields[0] == "MemAvailable:" { available = kib * 1024 }
        }
        guard let total, let available else { return nil }
        return (total, available)
    }

    /// Cores this process may run on.
    public static var cores: Int { ProcessInfo.processInfo.activeProcessorCount }
}
