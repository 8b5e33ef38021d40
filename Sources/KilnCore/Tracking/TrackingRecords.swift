import Foundation

/// Experiment tracking and the model registry, as MLflow models them: experiments hold runs;
/// a run has params (write-once strings), metrics (a history of values by step and time) and
/// tags; registered models have numbered versions that point at a run's artifacts.
///
/// Times are epoch milliseconds throughout, as MLflow's clients send and expect them.

public enum LifecycleStage: String, Sendable, Codable {
    case active
    case deleted
}

/// Which runs or experiments a search includes.
public enum ViewType: String, Sendable, Codable {
    case activeOnly = "ACTIVE_ONLY"
    case deletedOnly = "DELETED_ONLY"
    case all = "ALL"

    public var stages: [LifecycleStage] {
        switch self {
        case .activeOnly: [.active]
        case .deletedOnly: [.deleted]
        case .all: [.active, .deleted]
        }
    }
}

public enum RunStatus: String, Sendable, Codable, CaseIterable {
    case running = "RUNNING"
    case scheduled = "SCHEDULED"
    case finished = "FINISHED"
    case failed = "FAILED"
    case killed = "KILLED"
}

public struct TrackingTag: Sendable, Codable, Hashable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

public struct Experiment: Sendable, Hashable {
    public var id: Int64
    public var name: String
    public var artifactLocation: String
    public var lifecycleStage: LifecycleStage
    public var creationTime: Int64
    public var lastUpdateTime: Int64
    public var tags: [TrackingTag]

    public init(id: Int64, name: String, artifactLocation: String, lifecycleStage: LifecycleStage,
                creationTime: Int64, lastUpdateTime: Int64, tags: [TrackingTag] = []) {
        self.id = id
        self.name = name
        self.artifactLocation = artifactLocation
        self.lifecycleStage = lifecycleStage
        self.creationTime = creationTime
        self.lastUpdateTime = lastUpdateTime
        self.tags = tags
    }
}

public struct Metric: Sendable, Hashable {
    public var key: String
    /// NaN and ±infinity are legal values.
    public var value: Double
    public var timestamp: Int64
    public var step: Int64

    public init(key: String, value: Double, timestamp: Int64, step: Int64) {
        self.key = key
        self.value = value
        self.timestamp = timestamp
        self.step = step
    }

    /// MLflow's "latest" value of a key: the highest step, then the latest time, then the
    /// largest value (NaN counts as the largest, as in MLflow's SQL store).
    public func isLater(than other: Metric) -> Bool {
        if step != other.step { return step > other.step }
        if timestamp != other.timestamp { return timestamp > other.timestamp }
        if value.isNaN { return true }
        if other.value.isNaN { return false }
        return value >= other.value
    }
}

public struct RunInfo: Sendable, Hashable {
    public var runID: String
    public var experimentID: Int64
    public var name: String
    public var userID: String
    public var status: RunStatus
    public var startTime: Int64
    public var endTime: Int64?
    public var artifactURI: String
    public var lifecycleStage: LifecycleStage

    public init(runID: String, experimentID: Int64, name: String, userID: String, status: RunStatus, startTime: Int64,
                endTime: Int64?, artifactURI: String, lifecycleStage: LifecycleStage) {
        self.runID = runID
        self.experimentID = experimentID
        self.name = name
        self.userID = userID
        self.status = status
        self.startTime = startTime
        self.endTime = endTime
        self.artifactURI = artifactURI
        self.lifecycleStage = lifecycleStage
    }
}

/// A run with its data: latest metric values, params, tags, and the inputs and outputs
/// recorded against it (free-form JSON, as the client sent them).
public struct Run: Sendable, Hashable {
    public var info: RunInfo
    public var metrics: [Metric]
    public var params: [TrackingTag]
    public var tags: [TrackingTag]
    public var inputs: [JSONValue]
    public var outputs: [JSONValue]

    public init(info: RunInfo, metrics: [Metric] = [], params: [TrackingTag] = [], tags: [TrackingTag] = [],
                inputs: [JSONValue] = [], outputs: [JSONValue] = []) {
        self.info = info
        self.metrics = metrics
        self.params = params
        self.tags = tags
        self.inputs = inputs
        self.outputs = outputs
    }
}

public enum ModelStage: String, Sendable, Codable, CaseIterable {
    case none = "None"
    case staging = "Staging"
    case production = "Production"
    case archived = "Archived"

    /// Stage names are matched case-insensitively, as MLflow does.
    public init?(name: String) {
        guard let stage = Self.allCases.first(where: { $0.rawValue.lowercased() == name.lowercased() }) else { return nil }
        self = stage
    }

    /// The Kiln alias that mirrors this stage, so that `name@production` follows the stage.
    public var alias: String? {
        switch self {
        case .staging: "staging"
        case .production: "production"
        case .none, .archived: nil
        }
    }
}

public struct RegisteredModel: Sendable, Hashable {
    public var name: String
    public var creationTime: Int64
    public var lastUpdatedTime: Int64
    public var description: String
    public var tags: [TrackingTag]

    public init(name: String, creationTime: Int64, lastUpdatedTime: Int64, description: String, tags: [TrackingTag] = []) {
        self.name = name
        self.creationTime = creationTime
        self.lastUpdatedTime = lastUpdatedTime
        self.description = description
        self.tags = tags
    }
}

public struct ModelVersion: Sendable, Hashable {
    public var name: String
    public var version: Int
    public var creationTime: Int64
    public var lastUpdatedTime: Int64
    public var description: String
    public var userID: String
    public var stage: ModelStage
    public var source: String
    public var runID: String
    /// Whether Kiln installed this version into its model repository (it is servable).
    public var served: Bool
    public var tags: [TrackingTag]

    public init(name: String, version: Int, creationTime: Int64, lastUpdatedTime: Int64, description: String, userID: String,
                stage: ModelStage, source: String, runID: String, served: Bool, tags: [TrackingTag] = []) {
        self.name = name
        self.version = version
        self.creationTime = creationTime
        self.lastUpdatedTime = lastUpdatedTime
        self.description = description
        self.userID = userID
        self.stage = stage
        self.source = source
        self.runID = runID
        self.served = served
        self.tags = tags
    }
}

/// One stored artifact file: its path under the artifact root and the blob holding its bytes.
public struct ArtifactFile: Sendable, Hashable {
    public var path: String
    public var sha256: String
    public var size: Int64

    public init(path: String, sha256: String, size: Int64) {
        self.path = path
        self.sha256 = sha256
        self.size = size
    }
}

/// A page of search results and the token for the next page, if any.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var nextPageToken: String?

    public init(items: [Item], nextPageToken: String?) {
        self.items = items
        self.nextPageToken = nextPageToken
    }
}

/// Epoch milliseconds of `date` (now by default).
public func epochMilliseconds(_ date: Date = Date()) -> Int64 {
    Int64((date.timeIntervalSince1970 * 1000).rounded())
}
