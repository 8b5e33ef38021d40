import Foundation
import KilnCore
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
    private let torch = LoadedOnce<TorchRuntime>()
    private let xgboost = LoadedOnce<XGBoostLibrary>()

    public init(threads: EngineThreads, torchPluginPath: String? = nil) {
        self.threads = threads
        self.torchPluginPath = torchPluginPath
    }

    /// The libtorch runtime, loading the plugin if needed.
    public func torchRuntime() throws -> TorchRuntime {
        try torch.get {
            // OpenBLAS reads this once, when libtorch pulls it in; an explicit setting wins.
            setenv("OPENBLAS_NUM_THREADS", String(threads.openBLAS), 0)
            let runtime = try TorchRuntime(libraryPath: torchPluginPath)
            runtime.threads = threads.intraOp
            return runtime
        }
    }

    /// libxgboost, loading it if needed.
    public func xgboostLibrary() throws -> XGBoostLibrary {
        try xgboost.get { try XGBoostLibrary() }
    }

    public func makeRuntime(for version: ModelRepository.Version) throws -> any ModelRuntime {
        switch version.config.platform {
        case .pytorchLibtorch:
            let module = try torchRuntime().loadModule(path: version.artifact.path)
            return try TorchScriptRuntime(module: module, config: version.config)
        case .xgboost:
            // libgomp keeps a worker team for every thread that ran a parallel region, for as
            // long as the thread lives. A team beside libtorch's (more OpenMP threads than cores)
            // makes libgomp throttle its spinning, measured to slow a CNN forward from 15.0 to
            // 21.6 ms. So XGBoost loads and predicts with one OpenMP thread: concurrency comes
            // from instances and batching instead.
            let model = try XGBoostModel(path: version.artifact.path, library: try xgboostLibrary(), threads: 1)
            guard model.featureCount == version.config.inputs[0].shape[1] || version.config.inputs[0].shape[1] == -1 else {
                throw KilnError.invalidArgument(
                    "the model takes \(model.featureCount) features; config.json declares \(version.config.inputs[0].shape[1])")
            }
            return XGBoostRuntime(model: model, artifact: version.artifact)
        }
    }
}

