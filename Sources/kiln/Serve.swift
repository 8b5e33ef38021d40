import ArgumentParser
import Foundation
import KilnCLIKit
import KilnCore
import KilnServer
import Logging

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the Kiln server.",
        discussion: """
            Settings come from, lowest to highest precedence: defaults, the --config file, KILN_* \
            environment variables (KILN_PORT, KILN_HOME, …) and these flags. On the first start with \
            no API keys, an admin key is created, printed once and written to <data-dir>/admin.key.
            """)

    @OptionGroup var store: StoreOptions

    @Option(help: "Address to bind (default 127.0.0.1).") var host: String?
    @Option(help: "TCP port (default 8080; 0 picks a free port).") var port: Int?
    @Flag(help: "Serve unauthenticated requests as role 'user'; refused unless host is loopback.")
    var allowAnonymous = false
    @Option(help: "trace, debug, info, notice, warning, error or critical (default info).") var logLevel: String?
    @Option(help: "Log one line per request: true or false (default true).") var accessLog: String?
    @Option(help: "Shared secret verifying HS256 bearer tokens (≥ 32 bytes). Prefer KILN_JWT_HS256_SECRET.")
    var jwtHs256Secret: String?
    @Option(help: "PEM file with the P-256 public key verifying ES256 bearer tokens.") var jwtEs256PublicKey: String?
    @Option(help: "Largest JSON request body, e.g. 1MiB.") var maxJsonBody: String?
    @Option(help: "Largest upload, e.g. 1GiB.") var maxUpload: String?
    @Option(help: "Deepest JSON nesting accepted (default 64).") var maxJsonDepth: Int?
    @Option(help: "Sustained requests/second per caller; 0 disables (default 1000).") var rateLimit: Double?
    @Option(help: "Burst allowance per caller (default 2000).") var rateLimitBurst: Int?
    @Option(help: "Seconds to drain in-flight requests on SIGTERM/SIGINT (default 30).") var shutdownTimeout: Double?
    @Option(help: "Model repository folder (default <data-dir>/models).") var modelRepository: String?
    @Option(help: "Models to load at start: all, none, or NAME,NAME (default all).") var loadModels: String?
    @Option(help: "libtorch intra-op threads, also used by XGBoost (default: the number of cores).") var engineThreads: Int?
    @Option(help: "OpenBLAS threads (default 1).") var openblasThreads: Int?
    @Option(help: "Requests queued per model version before 503 (default 1024).") var maxQueueSize: Int?
    @Option(help: "Largest tensor accepted, in elements (default 67108864).") var maxTensorElements: Int?
    @Option(help: "Memory for loaded models, e.g. 8GiB; past it idle models are unloaded LRU (default: no limit).")
    var modelMemoryBudget: String?
    @Flag(help: "Load models on their first request instead of at start.") var lazyLoad = false
    @Option(help: "Concurrent jobs per job kind (default 2).") var jobWorkers: Int?
    @Option(help: "Hours to keep finished jobs and their results; 0 keeps them (default 168).") var jobRetention: Double?

    @Option(help: "Browser origins allowed to call Kiln (CORS), comma-separated, e.g. http://localhost:3000.") var corsOrigins: String?
    @Option(help: "OpenAI-compatible API for report narratives (default none: templates).") var llmBaseUrl: String?
    @Option(help: "Model name for --llm-base-url.") var llmModel: String?

    var flagSettings: [String: String] {
        var flags: [String: String] = [:]
        flags["host"] = host
        flags["port"] = port.map(String.init)
        flags["allow_anonymous"] = allowAnonymous ? "true" : nil
        flags["log_level"] = logLevel
        flags["access_log"] = accessLog
        flags["jwt_hs256_secret"] = jwtHs256Secret
        flags["jwt_es256_public_key"] = jwtEs256PublicKey
        flags["max_json_body"] = maxJsonBody
        flags["max_upload"] = maxUpload
        flags["max_json_depth"] = maxJsonDepth.map(String.init)
        flags["rate_limit"] = rateLimit.map { String($0) }
        flags["rate_limit_burst"] = rateLimitBurst.map(String.init)
        flags["shutdown_timeout"] = shutdownTimeout.map { String($0) }
        flags["model_repository"] = modelRepository
        flags["load_models"] = loadModels
        flags["engine_threads"] = engineThreads.map(String.init)
        flags["openblas_threads"] = openblasThreads.map(String.init)
        flags["max_queue_size"] = maxQueueSize.map(String.init)
        flags["max_tensor_elements"] = maxTensorElements.map(String.init)
        flags["model_memory_budget"] = modelMemoryBudget
        flags["lazy_load"] = lazyLoad ? "true" : nil
        flags["job_workers"] = jobWorkers.map(String.init)
        flags["job_retention"] = jobRetention.map { String($0) }
        flags["cors_origins"] = corsOrigins
        flags["llm_base_url"] = llmBaseUrl
        flags["llm_model"] = llmModel
        return flags
    }

    func run() async throws {
        let config: KilnConfig
        do {
            config = try store.loadConfig(apps: InstalledApps.apps, extraFlags: flagSettings)
        } catch let error as KilnError {
            throw error.exit
        }
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        let logger = {
            var logger = Logger(label: "kiln")
            logger.logLevel = Logger.Level(rawValue: config.logLevel) ?? .info
            return logger
        }()

        let built: BuiltApplication
        do {
            built = try await buildApplication(config: config, apps: InstalledApps.apps, logger: logger) { port in
                logger.info("kiln is listening", metadata: ["address": "\(config.host):\(port)", "version": "\(KilnVersion.current)"])
            }
        } catch let error as KilnError {
            logger.critical("cannot start: \(error.message)")
            throw ExitCode.failure
        }
        if let key = built.bootstrapAdminKey {
            print("""
                Created the first admin API key (shown once; also saved to \(config.dataDirectory)/admin.key):
                  \(key)
                """)
            fflush(nil)
        }
        try await runUntilSignalled(built.application, shutdownTimeout: .seconds(config.shutdownTimeoutSeconds), logger: logger)
        // Everything durable is closed by now. Exit without C++ static destructors: a forward
        // pass left behind at the drain deadline may still be running on a model thread, and
        // tearing libtorch down under it crashed (SIGSEGV) an otherwise clean shutdown.
        fflush(nil)
        _exit(0)
    }
}
