/// The process's health as dashboards show it; measured by the HTTP layer, read by any app.
public struct ServerHealth: Sendable {
    /// Percent of the machine's cores this process used since the previous reading.
    public var cpuUsage: Double?
    /// Percent of the machine's memory in use.
    public var memoryUsage: Double?
    public var residentBytes: Int?
    public var requests: Int
    /// Answers with status ≥ 500.
    public var serverErrors: Int
    public var uptimeSeconds: Double

    public init(cpuUsage: Double?, memoryUsage: Double?, residentBytes: Int?, requests: Int, serverErrors: Int, uptimeSeconds: Double) {
        self.cpuUsage = cpuUsage
        self.memoryUsage = memoryUsage
        self.residentBytes = residentBytes
        self.requests = requests
        self.serverErrors = serverErrors
        self.uptimeSeconds = uptimeSeconds
    }

    /// Percent of requests answered without a server error (100 before the first request).
    public var successRate: Double { requests == 0 ? 100 : 100 * Double(requests - serverErrors) / Double(requests) }
}
