import Foundation

/// One configurable setting: its name (config file key and flag), environment variable,
/// help text, and how to apply a textual value. The table below is the single source for
/// the loader, `kiln serve --help` and the README's configuration table.
public struct ConfigSetting: Sendable {
    public let name: String
    public let help: String
    public let apply: @Sendable (inout KilnConfig, String) throws -> Void

    /// Environment variables that set this setting, highest precedence last.
    public var environmentNames: [String] {
        let primary = "KILN_" + name.uppercased()
        return name == "data_dir" ? ["KILN_HOME", primary] : [primary]
    }

    public init(_ name: String, _ help: String, apply: @escaping @Sendable (inout KilnConfig, String) throws -> Void) {
        self.name = name
        self.help = help
        self.apply = apply
    }

    /// A setting of a module's own section: `apply` changes the section's value in the config.
    public static func section<Section: ConfigSection>(
        _ name: String, _ help: String, apply: @escaping @Sendable (inout Section, String) throws -> Void
    ) -> ConfigSetting {
        ConfigSetting(name, help) { config, value in try apply(&config.sections[Section.self], value) }
    }
}

extension ConfigSetting {
    /// The platform's settings; apps add theirs (`KilnApp.settings`).
    public static let platform: [ConfigSetting] = [
        ConfigSetting("host", "Address to bind (default 127.0.0.1).") { $0.host = try nonEmpty($1) },
        ConfigSetting("port", "TCP port (default 8080; 0 picks a free port).") { $0.port = try integer($1, in: 0...65535) },
        ConfigSetting("data_dir", "Data directory (default ./.kiln).") { $0.dataDirectory = try nonEmpty($1) },
        ConfigSetting("database", "Database URL: sqlite:PATH or postgres://… (default sqlite in the data dir).") {
            $0.database = try nonEmpty($1)
        },
        ConfigSetting("allow_anonymous", "Serve unauthenticated requests as role 'user' (loopback hosts only).") {
            $0.allowAnonymous = try boolean($1)
        },
        ConfigSetting("log_level", "trace, debug, info, notice, warning, error or critical (default info).") {
            let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
            guard levels.contains($1) else { throw invalid($1, "one of \(levels.joined(separator: ", "))") }
            $0.logLevel = $1
        },
        ConfigSetting("access_log", "Log one line per request (default true).") { $0.accessLog = try boolean($1) },
        ConfigSetting("jwt_hs256_secret", "Shared secret that verifies HS256 bearer tokens (at least 32 bytes).") {
            guard $1.utf8.count >= 32 else { throw invalid("(hidden)", "a secret of at least 32 bytes") }
            $0.jwtHS256Secret = $1
        },
        ConfigSetting("jwt_es256_public_key", "PEM file with the P-256 public key that verifies ES256 bearer tokens.") {
            $0.jwtES256PublicKeyFile = try nonEmpty($1)
        },
        ConfigSetting("jwt_subject_claim", "JWT claim naming the caller (default sub; Django SimpleJWT: user_id).") {
            $0.jwtClaims.subjectClaim = try nonEmpty($1)
        },
        ConfigSetting("jwt_role_claim", "JWT claim holding the caller's role (default role).") { $0.jwtClaims.roleClaim = try nonEmpty($1) },
        ConfigSetting("jwt_default_role", "Role of a JWT without the role claim (default none: such tokens are refused).") {
            $0.jwtClaims.defaultRole = try nonEmpty($1)
        },
        ConfigSetting("jwt_issuers", "Comma-separated accepted JWT issuers (iss); default any.") { $0.jwtClaims.issuers = list($1) },
        ConfigSetting("jwt_audiences", "Comma-separated accepted JWT audiences (aud); default any.") { $0.jwtClaims.audiences = list($1) },
        ConfigSetting("jwt_required_claims", "Comma-separated claim=value pairs a JWT must carry, e.g. token_type=access.") {
            var claims: [String: String] = [:]
            for pair in list($1) {
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, !parts[0].isEmpty else { throw invalid(pair, "claim=value") }
                claims[parts[0]] = parts[1]
            }
            $0.jwtClaims.requiredClaims = claims
        },
        ConfigSetting("session_lifetime", "Hours a browser session lasts (default 12).") {
            guard let hours = Double($1), hours > 0, hours <= 24 * 30 else { throw invalid($1, "hours in (0, 720]") }
            $0.sessions.lifetimeSeconds = hours * 3600
        },
        ConfigSetting("session_cookie_secure", "Always mark the session cookie Secure (default: only when X-Forwarded-Proto is https).") {
            $0.sessions.secureCookies = try boolean($1)
        },
        ConfigSetting("ws_ticket_lifetime", "Seconds a WebSocket/SSE ticket stays redeemable (default 30).") {
            guard let value = Double($1), value > 0, value <= 600 else { throw invalid($1, "seconds in (0, 600]") }
            $0.sessions.ticketSeconds = value
        },
        ConfigSetting("max_json_body", "Largest JSON request body (default 1MiB).") { $0.limits.maxJSONBodyBytes = try size($1) },
        ConfigSetting("max_upload", "Largest upload (default 1GiB).") { $0.limits.maxUploadBytes = try size($1) },
        ConfigSetting("max_json_depth", "Deepest JSON nesting accepted (default 64).") {
            $0.limits.maxJSONDepth = try integer($1, in: 1...1000)
        },
        ConfigSetting("rate_limit", "Sustained requests/second per caller; 0 disables (default 1000).") {
            guard let value = Double($1), value >= 0, value.isFinite else { throw invalid($1, "a number ≥ 0") }
            $0.limits.rateLimitPerSecond = value
        },
        ConfigSetting("rate_limit_burst", "Burst allowance per caller above the sustained rate (default 2000).") {
            $0.limits.rateLimitBurst = try integer($1, in: 1...10_000_000)
        },
        ConfigSetting("sqlite_synchronous", "full: every acknowledged write survives a power loss (default); normal: only a process crash.") {
            guard let mode = SQLiteSynchronous(rawValue: $1.uppercased()) else { throw invalid($1, "full or normal") }
            $0.sqliteSynchronous = mode
        },
        ConfigSetting("min_free_space", "Free space on the data directory's volume under which /ready answers 503 (default 256MiB).") {
            $0.limits.minFreeSpaceBytes = Int64(try size($1))
        },
        ConfigSetting("header_timeout", "Seconds a connection may take to send a request's headers, from connecting or the previous response (default 10).") {
            $0.limits.connections.headerTimeoutSeconds = try seconds($1)
        },
        ConfigSetting("body_timeout", "Longest pause, in seconds, between two pieces of a request body (default 60).") {
            $0.limits.connections.bodyTimeoutSeconds = try seconds($1)
        },
        ConfigSetting("keepalive_timeout", "Seconds an idle kept-alive connection stays open (default 75).") {
            $0.limits.connections.keepAliveTimeoutSeconds = try seconds($1)
        },
        ConfigSetting("max_connections", "Open connections over which new ones get 503 + Retry-After (default 4096).") {
            $0.limits.connections.maxConnections = try integer($1, in: 1...1_000_000)
        },
        ConfigSetting("max_connections_per_address", "The same per client address (default 512).") {
            $0.limits.connections.maxConnectionsPerAddress = try integer($1, in: 1...1_000_000)
        },
        ConfigSetting("websocket_ping_interval", "Seconds between WebSocket pings; a ping unanswered by the next closes the socket (default 30; off: none).") {
            $0.limits.connections.webSocketPingSeconds = $1 == "off" ? nil : try seconds($1)
        },
        ConfigSetting("model_repository", "Model repository folder (default <data-dir>/models).") {
            $0.serving.modelRepository = try nonEmpty($1)
        },
        ConfigSetting("load_models", "Models to load at start: all, none, or a comma-separated list (default all).") {
            switch $1 {
            case "all": $0.serving.loadModels = .all
            case "none": $0.serving.loadModels = .none
            default:
                let names = $1.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                guard !names.isEmpty else { throw invalid($1, "all, none or model names") }
                $0.serving.loadModels = .named(names)
            }
        },
        ConfigSetting("engine_threads", "libtorch intra-op threads, also used by XGBoost (default: the number of cores).") {
            $0.serving.engineThreads = try integer($1, in: 1...1024)
        },
        ConfigSetting("openblas_threads", "OpenBLAS threads (default 1: they compete with libtorch's own).") {
            $0.serving.openBLASThreads = try integer($1, in: 1...1024)
        },
        ConfigSetting("max_queue_size", "Requests queued per model before 503 (default 1024).") {
            $0.serving.maxQueueSize = try integer($1, in: 1...1_000_000)
        },
        ConfigSetting("max_tensor_elements", "Largest tensor accepted, in elements (default 67108864).") {
            $0.serving.maxTensorElements = try integer($1, in: 1...(1 << 40))
        },
        ConfigSetting("model_memory_budget", "Memory for loaded models, e.g. 8GiB; past it idle models are unloaded, least recently used first (default: no limit).") {
            $0.serving.modelMemoryBudget = try size($1)
        },
        ConfigSetting("lazy_load", "Load a model on its first request instead of at start (default false).") {
            $0.serving.lazyLoad = try boolean($1)
        },
        ConfigSetting("job_workers", "Concurrent jobs per job kind in this process (default 2).") {
            $0.jobs.workersPerKind = try integer($1, in: 1...256)
        },
        ConfigSetting("job_retention", "Hours to keep finished jobs and their results; 0 keeps them (default 168).") {
            guard let hours = Double($1), hours >= 0, hours.isFinite else { throw invalid($1, "hours ≥ 0") }
            $0.jobs.retentionSeconds = hours == 0 ? nil : hours * 3600
        },
        ConfigSetting("cors_origins", "Comma-separated browser origins allowed to call Kiln, e.g. http://localhost:3000; * allows any (default none).") {
            $0.corsOrigins = list($1)
        },
        ConfigSetting("cors_credentials", "Let the listed CORS origins send cookies (Access-Control-Allow-Credentials; never for *; default true).") {
            $0.corsCredentials = try boolean($1)
        },
        ConfigSetting("llm_base_url", "OpenAI-compatible API for report narratives, e.g. http://localhost:11434/v1 (default none: templates).") {
            guard let url = URL(string: $1), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else { throw invalid($1, "an http(s) URL") }
            $0.llm.baseURL = $1.hasSuffix("/") ? String($1.dropLast()) : $1
        },
        ConfigSetting("llm_api_key", "Bearer key for llm_base_url. Prefer KILN_LLM_API_KEY.") {
            $0.llm.apiKey = try nonEmpty($1)
        },
        ConfigSetting("llm_model", "Model name sent to llm_base_url.") {
            $0.llm.model = try nonEmpty($1)
        },
        ConfigSetting("shutdown_timeout", "Seconds to drain in-flight work on SIGTERM/SIGINT (default 30).") {
            $0.shutdownTimeoutSeconds = try seconds($1)
        },
    ]

    public static func invalid(_ value: String, _ expected: String) -> KilnError {
        KilnError.invalidArgument("invalid value '\(value)': expected \(expected)")
    }

    /// A comma-separated list, items trimmed, empty items dropped.
    public static func list(_ value: String) -> [String] {
        value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    public static func nonEmpty(_ value: String) throws -> String {
        guard !value.isEmpty else { throw invalid(value, "a non-empty value") }
        return value
    }

    public static func positive(_ value: String) throws -> Double {
        guard let number = Double(value), number > 0, number.isFinite else { throw invalid(value, "a positive number") }
        return number
    }

    /// A duration in seconds, in (0, 3600].
    public static func seconds(_ value: String) throws -> Double {
        guard let number = Double(value), number > 0, number <= 3600 else { throw invalid(value, "seconds in (0, 3600]") }
        return number
    }

    public static func integer(_ value: String, in range: ClosedRange<Int>) throws -> Int {
        guard let number = Int(value), range.contains(number) else {
            throw invalid(value, "an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return number
    }

    public static func boolean(_ value: String) throws -> Bool {
        switch value.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw invalid(value, "true or false")
        }
    }

    public static func size(_ value: String) throws -> Int {
        guard let bytes = ByteSize.parse(value), bytes > 0 else { throw invalid(value, "a size such as 512KiB or 2GiB") }
        return bytes
    }
}
