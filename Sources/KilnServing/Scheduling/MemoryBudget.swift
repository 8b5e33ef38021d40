/// Which idle models to unload so that a new one fits the memory budget: a pure decision,
/// least recently used first, never a model with requests in flight.
public struct MemoryBudget: Sendable, Equatable {
    public struct Resident: Sendable, Equatable {
        public var name: String
        public var bytes: Int
        public var idle: Bool
        public var lastUsed: ContinuousClock.Instant

        public init(name: String, bytes: Int, idle: Bool, lastUsed: ContinuousClock.Instant) {
            self.name = name
            self.bytes = bytes
            self.idle = idle
            self.lastUsed = lastUsed
        }
    }

    public let limit: Int

    public init(limit: Int) {
        self.limit = limit
    }

    /// - Returns: the models to unload, oldest use first, or nil when even unloading every
    ///   idle model would not make room.
    public func victims(toFit needed: Int, resident: [Resident]) -> [String]? {
        var used = resident.reduce(0) { $0 + $1.bytes }
        var chosen: [String] = []
        for model in resident.filter(\.idle).sorted(by: { $0.lastUsed < $1.lastUsed }) where used + needed > limit {
            chosen.append(model.name)
            used -= model.bytes
        }
        return used + needed <= limit ? chosen : nil
    }
}
