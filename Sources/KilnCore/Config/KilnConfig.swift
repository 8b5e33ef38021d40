/// Everything `kiln serve` can be configured with. Built by `ConfigLoader` from defaults,
/// a config file, `KILN_*` environment variables and flags, in that order of precedence.
public struct KilnConfig: Sendable, Equatable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// Holds `kiln.sqlite`, `blobs/`, `models/`, `logs/` and `admin.key`.
    public var dataDirectory = "./.kiln"
    /// `sqlite:PATH` or `postgres://…`; nil means `sqlite:<data-dir>/kiln.sqlite`.
    public var database: String?
    public var allowAnonymous = false
    public var logLevel = "info"
    public var accessLog = true
    public var jwtHS256Secret: String?
    public var jwtES256PublicKeyFile: String?
    public var jwtClaims = JWTClaimMapping()
    public var sessions = SessionSettings()
    public var limits = Limits()
    public var shutdownTimeoutSeconds: Double = 30
    /// How SQLite commits: `full` (default) fsyncs the WAL on every commit, so an acknowledged
    /// write survives a power loss or OS crash; `normal` survives a process crash only.
    public var sqliteSynchronous = SQLiteSynchronous.full
    public var serving = ServingSettings()
    public var jobs = JobSettings()
    /// Browser origins allowed to call Kiln (CORS), e.g. a dashboard on http://localhost:3000.
    public var corsOrigins: [String] = []
    /// Let the listed origins (never `*`) send cookies (`Access-Control-Allow-Credentials`).
    public var corsCredentials = true
    public var llm = LLMSettings()
    /// The modules' own settings (each app's section), set through their `ConfigSetting`s.
    public var sections = ConfigSections()

    public init() {}

    /// The model repository in effect: the configured one or `<data-dir>/models`.
    public var modelRepositoryPath: String {
        serving.modelRepository ?? "\(dataDirectory)/models"
    }

    /// The database URL in effect: the configured one or the embedded SQLite file.
    public var databaseURL: String {
        database ?? "sqlite:\(dataDirectory)/kiln.sqlite"
    }

    /// True when `host` only accepts connections from this machine.
    public var isLoopbackHost: Bool {
        let loopbackNames = ["localhost", "::1", "[::1]"]
        return loopbackNames.contains(host) || host.hasPrefix("127.")
    }
}

/// SQLite's `PRAGMA synchronous` in WAL mode.
public enum SQLiteSynchronous: String, Sendable, Equatable {
    case full = "FULL"
    case normal = "NORMAL"
}

/// Request limits enforced at the HTTP edge.
public struct Limits: Sendable, Equatable {
    public var maxJSONBodyBytes = 1 << 20
    public var maxUploadBytes = 1 << 30
    public var maxJSONDepth = 64
    /// Sustained requests per second per caller; 0 turns rate limiting off.
    public var rateLimitPerSecond: Double = 1000
    /// Requests a caller may make in a burst above the sustained rate.
    public var rateLimitBurst = 2000
    /// Free space on the data directory's volume under which `/ready` answers 503.
    public var minFreeSpaceBytes: Int64 = 256 << 20
    /// Connection limits: Kiln is often the only thing on its port, with no proxy in front.
    public var connections = ConnectionLimits()

    public init() {}
}

/// How long a connection may wait at each stage, and how many may be open.
public struct ConnectionLimits: Sendable, Equatable {
    /// From accepting a connection (or finishing a response) until a request's headers are in.
    public var headerTimeoutSeconds: Double = 10
    /// Longest pause between two pieces of a request body (a slow upload that keeps moving is fine).
    public var bodyTimeoutSeconds: Double = 60
    /// Longest wait for the next request on a kept-alive connection.
    public var keepAliveTimeoutSeconds: Double = 75
    /// Open connections over which new ones are answered 503 and closed.
    public var maxConnections = 4096
    /// The same, per client address.
    public var maxConnectionsPerAddress = 512
    /// Seconds between pings on an open WebSocket; a ping still unanswered at the next one
    /// closes the connection (a peer that vanished without closing). nil: no pings.
    public var webSocketPingSeconds: Double? = 30

    public init() {}
}

/// Model serving settings.
public struct ServingSettings: Sendable, Equatable {
    public enum LoadPolicy: Sendable, Equatable {
        case all
        case none
        case named([String])
    }

    /// nil: `<data-dir>/models`.
    public var modelRepository: String?
    public var loadModels: LoadPolicy = .all
    /// libtorch intra-op threads (also XGBoost's); default: the number of cores.
    public var engineThreads: Int?
    /// OpenBLAS threads; 1 by default so that they do not compete with libtorch's.
    public var openBLASThreads = 1
    /// Requests queued per model version before 503.
    public var maxQueueSize = 1024
    /// Largest tensor accepted, in elements.
    public var maxTensorElements = 64 << 20
    /// Memory loaded models may hold; loading past it unloads idle models (LRU). nil: no limit.
    public var modelMemoryBudget: Int?
    /// Load models on their first request rather than at start.
    public var lazyLoad = false

    public init() {}
}

/// Durable job settings.
public struct JobSettings: Sendable, Equatable {
    /// Concurrent jobs per job kind in this process.
    public var workersPerKind = 2
    /// Finished jobs (and their unreferenced blobs) are purged after this; nil keeps them.
    public var retentionSeconds: Double? = 7 * 24 * 3600

    public init() {}
}

/// An OpenAI-compatible chat-completions endpoint for narrative text; none configured means
/// deterministic templates.
public struct LLMSettings: Sendable, Equatable {
    /// e.g. `http://localhost:11434/v1`; `/chat/completions` is appended.
    public var baseURL: String?
    public var apiKey: String?
    public var model: String?
    public var timeoutSeconds: Double = 30

    public init() {}
}

/// A module's own group of settings (an app's section of the config). A value type with the
/// defaults in `init()`; its `ConfigSetting`s (made with `ConfigSetting.section`) change it.
public protocol ConfigSection: Sendable, Equatable {
    init()
}

extension ConfigSection {
    fileprivate func isEqual(to other: (any ConfigSection)?) -> Bool {
        (other as? Self) == self
    }
}

/// The sections set so far, one value per section type; an unset section reads as its defaults.
public struct ConfigSections: Sendable, Equatable {
    private var values: [ObjectIdentifier: any ConfigSection] = [:]

    public init() {}

    public subscript<Section: ConfigSection>(_ type: Section.Type) -> Section {
        get { values[ObjectIdentifier(type)] as? Section ?? Section() }
        set { values[ObjectIdentifier(type)] = newValue }
    }

    public static func == (lhs: ConfigSections, rhs: ConfigSections) -> Bool {
        lhs.values.count == rhs.values.count && lhs.values.allSatisfy { key, value in value.isEqual(to: rhs.values[key]) }
    }
}
