import CTorchAPI
import KilnCore

/// Builds a trainable TorchScript module from parts: tensors registered from Swift (so that
/// initialisation is Kiln's seeded, reproducible code) and methods compiled from TorchScript
/// source. The result is an ordinary `TorchModule` that can be trained with `TorchAdam`,
/// served, and saved as a file any TorchScript runtime loads.
public final class TorchModuleBuilder {
    private let runtime: TorchRuntime
    private var handle: OpaquePointer?

    public init(runtime: TorchRuntime, className: String) throws {
        var error = ctorch_error()
        guard let handle = runtime.api.pointee.create_module(className, &error) else {
            throw KilnError.invalidArgument("cannot create module \(className): \(error.messageText)")
        }
        self.runtime = runtime
        self.handle = handle
    }

    deinit {
        if let handle { runtime.api.pointee.free_module(handle) }
    }

    /// Adds a trainable parameter (`trainable`) or a buffer saved with the module.
    public func add(_ name: String, _ value: Tensor, trainable: Bool = true) throws {
        let handle = try live()
        var error = ctorch_error()
        let status = try TorchModule.withDescriptors([value]) { pointer, _ in
            runtime.api.pointee.register_tensor(handle, name, pointer, trainable ? 1 : 0, &error)
        }
        guard status == 0 else { throw KilnError.invalidArgument("cannot add \(name): \(error.messageText)") }
    }

    /// Compiles TorchScript methods (`def forward(self, x): …`) into the module. A source that
    /// does not compile may leave methods half-registered, so it ends the builder.
    public func define(_ source: String) throws {
        let handle = try live()
        var error = ctorch_error()
        let text = source.hasSuffix("\n") ? source : source + "\n"  // the parser wants a final newline
        guard runtime.api.pointee.define(handle, text, &error) == 0 else {
            runtime.api.pointee.free_module(handle)
            self.handle = nil
            throw KilnError.invalidArgument("TorchScript does not compile: \(error.messageText)")
        }
    }

    /// The finished module (in training mode); the builder cannot be used afterwards.
    public func build() throws -> TorchModule {
        let handle = try live()
        self.handle = nil
        return try TorchModule(runtime: runtime, handle: handle)
    }

    private func live() throws -> OpaquePointer {
        guard let handle else { throw KilnError(.internal, "the module was already built") }
        return handle
    }
}

/// Adam over all of a module's parameters.
public final class TorchAdam {
    private let module: TorchModule
    private let handle: OpaquePointer

    public init(module: TorchModule, learningRate: Double, weightDecay: Double = 0) throws {
        var error = ctorch_error()
        guard let handle = module.torchRuntime.api.pointee.create_adam(module.rawHandle, learningRate, weightDecay, &error) else {
            throw KilnError.invalidArgument("cannot create the optimiser: \(error.messageText)")
        }
        self.module = module
        self.handle = handle
    }

    deinit {
        module.torchRuntime.api.pointee.free_optimizer(handle)
    }

    /// Zeroes the gradients, runs `method` (returning a scalar loss), back-propagates and
    /// updates the parameters. Returns the loss.
    public func step(method: String = "loss", _ inputs: [Tensor]) throws -> Double {
        try module.trainStep(optimizer: handle, method: method, inputs)
    }
}

extension TorchRuntime {
    /// Seeds libtorch's random generator (dropout masks) for reproducible training.
    public func manualSeed(_ seed: UInt64) {
        api.pointee.manual_seed(seed)
    }
}
