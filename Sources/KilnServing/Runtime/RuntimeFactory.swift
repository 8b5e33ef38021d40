import Foundation
import KilnCore
import Synchronization
import Torch
import XGBoost

/// Engine thread settings, chosen deliberately: Debian's libtorch starts with one intra-op
/// thread, `set_num_threads` also governs XGBoost's OpenMP pool in the same process, and
/// OpenBLAS's own threads compete with libtorch's (one OpenBLAS thread was faster for 3D convs).
public struct EngineThreads: Sendable, Equatable {
    public var intraOp: Int
    public var openBLAS: Int

    public init(intraOp: Int = ProcessInfo.processInfo.activeProcessorCount, openBLAS: Int = 1) {
        self.intraOp = intraOp
        self.openBLAS = openBLAS
    }
}

/// Turns a model version on disk into a runtime. The libtorch plugin is loaded on first use.
public final class RuntimeFactory: Sendable {
    private let threads: EngineThreads
    private let torchPluginPath: String?
    private let torch = Mutex<TorchRuntime?>(nil)
    private let xgboost = Mutex<XGBoostLibrary?>(nil)

    public init(threads: EngineThreads, torchPluginPath: String? = nil) {
        self.threads = threads
        self.torchPluginPath = torchPluginPath
    }

    /// The libtorch runtime, loading the plugin if needed.
    public func torchRuntime() throws -> TorchRuntime {
        try torch.withLock { cached in
            if let cached { return cached }
            // OpenBLAS reads this once, when libtorch pulls it in; an explicit setting wins.
            setenv("OPENBLAS_NUM_THREADS", String(threads.openBLAS), 0)
            let runtime = try TorchRuntime(libraryPath: torchPluginPath)
            runtime.threads = threads.intraOp
            cached = runtime
            return runtime
        }
    }

    /// Runs `body` on a new thread and waits for it; the thread, and any OpenMP team it
    /// started, ends with it.
    static func onShortLivedThread<T>(_ body: @escaping @Sendable () throws -> T) throws -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            box.result = Result { try body() }
            done.signal()
        }
        thread.start()
        done.wait()
        return try box.result!.get()
    }

    /// libxgboost, loading it if needed.
    public func xgboostLibrary() throws -> XGBoostLibrary {
        try xgboost.withLock { cached in
            if let cached { return cached }
            let library = try XGBoostLibrary()
            cached = library
            return library
        }
    }

    public func makeRuntime(for version: ModelRepository.Version) throws -> any ModelRuntime {
        switch version.config.platform {
        case .pytorchLibtorch:
            let module = try torchRuntime().loadModule(path: version.artifact.path)
            return try TorchScriptRuntime(module: module, config: version.config)
        case .xgboost:
            let library = try xgboostLibrary()
            let path = version.artifact.path
            // XGBoost parallelises its load with OpenMP from the calling thread, and libgomp keeps
            // that thread's worker team alive while the thread lives. A long-lived team beside
            // libtorch's makes libgomp throttle its spinning (more OpenMP threads than cores),
            // which was measured to slow a CNN forward from 15.0 to 21.6 ms. So the load runs on
            // a thread that exits afterwards, and prediction uses one thread per instance
            // (concurrency comes from instances and batching, not from OpenMP).
            let model = try Self.onShortLivedThread { try XGBoostModel(path: path, library: library, threads: 1) }
            guard model.featureCount == version.config.inputs[0].shape[1] || version.config.inputs[0].shape[1] == -1 else {
                throw KilnError.invalidArgument(
                    "the model takes \(model.featureCount) features; config.json declares \(version.config.inputs[0].shape[1])")
            }
            return XGBoostRuntime(model: model)
        }
    }
}

/// Carries a result from a helper thread to the waiting one (the semaphore orders the accesses).
private final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, any Error>?
}
