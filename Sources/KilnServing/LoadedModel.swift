import KilnCore

/// One version of a model that is loaded and serving.
public struct LoadedVersion: Sendable {
    public let name: String
    public let version: Int
    public let config: ModelConfig
    public let scheduler: ModelScheduler
    /// Size of the artifact file: a lower bound of the memory the loaded model holds.
    public let artifactBytes: Int
    /// Resident memory the load added (at least the artifact size): what the budget counts.
    public let memoryBytes: Int
    /// Training rows shipped with the version (`reference.json`), for explanations.
    public let reference: ReferenceSample?
}

/// Where a model stands, as `/v2/repository/index` reports it.
public struct ModelStatus: Sendable, Equatable {
    public enum State: String, Sendable {
        case ready = "READY"
        case unavailable = "UNAVAILABLE"
    }

    public var name: String
    public var version: Int?
    public var state: State
    public var reason: String
}
