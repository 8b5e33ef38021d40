import Foundation
import KilnCore
import Synchronization

/// Reads the process's health for the dashboards. CPU usage is the share of the machine's
/// cores used between two readings, so the probe keeps the previous one.
public final class ServerHealthProbe: Sendable {
    private let totals: HTTPTotals
    private let started = ContinuousClock.now
    private let previous: Mutex<(time: ContinuousClock.Instant, cpu: Double)?> = Mutex(nil)

    public init(totals: HTTPTotals) {
        self.totals = totals
    }

    public func read() -> ServerHealth {
        let now = ContinuousClock.now
        var usage: Double?
        if let cpu = ProcessStats.cpuSeconds() {
            usage = previous.withLock { previous in
                defer { previous = (now, cpu) }
                guard let last = previous else { return nil }
                let wall = (now - last.time).secondsValue
                guard wall > 0.05 else { return nil }
                return min(100, 100 * (cpu - last.cpu) / wall / Double(ProcessStats.cores))
            }
        }
        let memory = ProcessStats.systemMemory().map { 100 * Double($0.total - $0.available) / Double($0.total) }
        let counts = totals.snapshot
        return ServerHealth(cpuUsage: usage, memoryUsage: memory, residentBytes: ProcessStats.residentMemoryBytes(),
                            requests: counts.requests, serverErrors: counts.serverErrors,
                            uptimeSeconds: (now - started).secondsValue)
    }
}
