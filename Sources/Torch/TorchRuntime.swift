import CTorchAPI
import Foundation
import KilnCore

/// The loaded libtorch plugin (libKilnTorch.so).
///
/// libtorch is loaded on first use rather than linked: linked, its static initialisers add
/// ~0.5 s to every start and ~150 MiB of resident memory, even for a server with no
/// TorchScript model. One runtime per process; pass it to whatever loads TorchScript models.
public final class TorchRuntime: @unchecked Sendable {
    // @unchecked: `api` points at an immutable function table inside the loaded plugin.
    let api: UnsafePointer<ctorch_api>
    public let libraryPath: String

    /// Loads the plugin from `path`, or from beside the running executable.
    public init(libraryPath path: String? = nil) throws {
        let path = path ?? Self.defaultLibraryPath()
        let symbol = try PluginLibrary.open(path, symbol: "ctorch_get_api", describedAs: "libtorch")
        guard let api = unsafeBitCast(symbol, to: ctorch_get_api_fn.self)() else {
            throw KilnError(.unavailable, "\(path) returned no API table")
        }
        self.api = api
        self.libraryPath = path
    }

    /// `KILN_TORCH_PLUGIN`, else `libKilnTorch.so` in the directory of the running executable
    /// (SwiftPM puts both in the same build folder).
    public static func defaultLibraryPath() -> String {
        InstalledFile.path("libKilnTorch.so", overriddenBy: "KILN_TORCH_PLUGIN")
    }

    public var version: String { api.pointee.version().map { String(cString: $0) } ?? "unknown" }
    public var buildConfiguration: String { api.pointee.build_config().map { String(cString: $0) } ?? "" }

    /// libtorch's intra-op thread count; it also governs XGBoost's OpenMP pool in this process.
    public var threads: Int {
        get { Int(api.pointee.get_num_threads()) }
        set { api.pointee.set_num_threads(Int32(newValue)) }
    }

    public func matmulGFLOPS(size: Int = 512, iterations: Int = 20) -> Double {
        api.pointee.matmul_gflops(Int32(size), Int32(iterations))
    }

    public func loadModule(path: String) throws -> TorchModule {
        var error = ctorch_error()
        guard let module = api.pointee.load(path, &error) else {
            throw KilnError.invalidArgument("not a loadable TorchScript module: \(error.messageText)")
        }
        return try TorchModule(runtime: self, handle: module)
    }
}

extension ctorch_error {
    var messageText: String { CCharArray.string(message) }
}
