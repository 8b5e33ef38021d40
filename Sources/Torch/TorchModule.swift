import CTorchAPI
import KilnCore

/// A loaded TorchScript module. Owns its handle; freed when the last reference goes.
///
/// `forward` may be called from several threads at once (TorchScript modules in eval mode keep
/// no per-call state), which is how a model with several instances runs them in parallel.
public final class TorchModule: @unchecked Sendable {
    // @unchecked: the handle is only freed in deinit, when no call can be in flight.
    private let runtime: TorchRuntime
    private let handle: OpaquePointer
    /// Number of arguments `forward` takes.
    public let arity: Int

    init(runtime: TorchRuntime, handle: OpaquePointer) throws {
        self.runtime = runtime
        self.handle = handle
        var error = ctorch_error()
        let arity = runtime.api.pointee.forward_arity(handle, &error)
        guard arity >= 0 else {
            runtime.api.pointee.free_module(handle)
            throw KilnError.invalidArgument("TorchScript module has no usable forward: \(error.messageText)")
        }
        self.arity = Int(arity)
    }

    deinit {
        runtime.api.pointee.free_module(handle)
    }

    /// Runs forward. Input bytes are borrowed by libtorch (no copy); each output is copied
    /// once, out of libtorch's memory.
    public func forward(_ inputs: [Tensor]) throws -> [Tensor] {
        try run(method: "forward", inputs)
    }

    /// Runs any method of the module. `autograd` enables gradients for methods that compute
    /// them themselves (`torch.autograd.grad`, e.g. Grad-CAM); results are detached.
    public func run(method: String, _ inputs: [Tensor], autograd: Bool = false) throws -> [Tensor] {
        let api = runtime.api.pointee
        var error = ctorch_error()
        let mode = Int32((autograd ? CTORCH_MODE_AUTOGRAD : CTORCH_MODE_INFERENCE).rawValue)
        let outputs: OpaquePointer? = try Self.withDescriptors(inputs) { pointer, count in
            api.run_method(handle, method, pointer, count, mode, &error)
        }
        guard let outputs else {
            throw TorchError(status: error.code, message: error.messageText)
        }
        return try tensors(taking: outputs)
    }

    /// True when the module has a method called `name` (e.g. Grad-CAM's feature-map method).
    public func hasMethod(_ name: String) -> Bool {
        runtime.api.pointee.has_method(handle, name) != 0
    }

    /// The gradient of one class's logit, for Grad-CAM (with respect to the feature map that
    /// `method` returns as its second output) or a saliency map (with respect to the input, when
    /// `method` returns only logits). `classIndex` nil means the predicted class.
    public func classGradient(method: String, input: Tensor, classIndex: Int? = nil) throws -> (logits: Tensor, target: Tensor, gradient: Tensor) {
        let api = runtime.api.pointee
        var error = ctorch_error()
        let outputs: OpaquePointer? = try Self.withDescriptors([input]) { pointer, _ in
            api.class_gradient(handle, method, pointer, Int32(classIndex ?? -1), &error)
        }
        guard let outputs else { throw TorchError(status: error.code, message: error.messageText) }
        let tensors = try tensors(taking: outputs)
        return (tensors[0], tensors[1], tensors[2])
    }

    /// Copies the tensors out of libtorch's memory and frees `outputs`.
    private func tensors(taking outputs: OpaquePointer) throws -> [Tensor] {
        let api = runtime.api.pointee
        defer { api.free_outputs(outputs) }
        return try (0..<api.outputs_count(outputs)).map { index in
            var tensor = ctorch_tensor()
            guard api.outputs_get(outputs, index, &tensor) == 0, let datatype = Self.datatype(tensor.dtype) else {
                throw TorchError(status: Int32(CTORCH_UNSUPPORTED.rawValue), message: "output \(index) has a dtype Kiln cannot return")
            }
            let shape = withUnsafeBytes(of: tensor.shape) { raw in
                Array(raw.bindMemory(to: Int64.self).prefix(Int(tensor.ndim))).map(Int.init)
            }
            let bytes = tensor.nbytes > 0
                ? Array(UnsafeRawBufferPointer(start: tensor.data, count: Int(tensor.nbytes))) : []
            return Tensor(datatype: datatype, shape: shape, storage: bytes)
        }
    }

    /// Switches dropout and similar layers between training and evaluation behaviour.
    public func setTraining(_ training: Bool) {
        runtime.api.pointee.set_training(handle, training ? 1 : 0)
    }

    /// Writes the module as a TorchScript file that `TorchRuntime.loadModule` (and Python's
    /// `torch.jit.load`) reads.
    public func save(to path: String) throws {
        var error = ctorch_error()
        guard runtime.api.pointee.save(handle, path, &error) == 0 else {
            throw TorchError(status: error.code, message: error.messageText)
        }
    }

    /// One Adam step through `method`, which must return a scalar loss; returns the loss.
    func trainStep(optimizer: OpaquePointer, method: String, _ inputs: [Tensor]) throws -> Double {
        var error = ctorch_error()
        let api = runtime.api.pointee
        let loss = try Self.withDescriptors(inputs) { pointer, count in
            api.train_step(handle, optimizer, method, pointer, count, &error)
        }
        if error.code != 0 { throw TorchError(status: error.code, message: error.messageText) }
        return loss
    }

    var rawHandle: OpaquePointer { handle }
    var torchRuntime: TorchRuntime { runtime }

    /// Describes `inputs` for the C interface, their bytes pinned (not copied) while `body` runs.
    static func withDescriptors<R>(_ inputs: [Tensor], _ body: (UnsafePointer<ctorch_tensor>?, Int32) throws -> R) throws -> R {
        var descriptors = try inputs.map(Self.descriptor(for:))
        return try withStorages(inputs) { pointers in
            for index in descriptors.indices { descriptors[index].data = pointers[index] }
            return try descriptors.withUnsafeBufferPointer { buffer in
                try body(buffer.baseAddress, Int32(buffer.count))
            }
        }
    }

    /// Keeps every input's storage pinned while `body` runs.
    private static func withStorages<R>(_ inputs: [Tensor], _ body: ([UnsafeRawPointer?]) throws -> R) throws -> R {
        func pin(_ index: Int, _ pointers: [UnsafeRawPointer?]) throws -> R {
            guard index < inputs.count else { return try body(pointers) }
            return try inputs[index].storage.withUnsafeBytes { raw in
                try pin(index + 1, pointers + [raw.baseAddress])
            }
        }
        return try pin(0, [])
    }

    static func descriptor(for tensor: Tensor) throws -> ctorch_tensor {
        guard let dtype = ctorchType(tensor.datatype) else {
            throw KilnError.invalidArgument("TorchScript models do not take \(tensor.datatype.rawValue) tensors")
        }
        guard tensor.shape.count <= Int(CTORCH_MAX_DIMS) else {
            throw KilnError.invalidArgument("tensors may have at most \(CTORCH_MAX_DIMS) dimensions")
        }
        var descriptor = ctorch_tensor()
        descriptor.dtype = dtype
        descriptor.ndim = Int32(tensor.shape.count)
        withUnsafeMutableBytes(of: &descriptor.shape) { raw in
            let dims = raw.bindMemory(to: Int64.self)
            for (index, dimension) in tensor.shape.enumerated() { dims[index] = Int64(dimension) }
        }
        descriptor.nbytes = Int64(tensor.storage.count)
        return descriptor
    }

    static let typeTable: [(DataType, ctorch_dtype)] = [
        (.bool, CTORCH_BOOL), (.uint8, CTORCH_UINT8), (.int8, CTORCH_INT8), (.int16, CTORCH_INT16),
        (.int32, CTORCH_INT32), (.int64, CTORCH_INT64), (.fp16, CTORCH_FP16), (.fp32, CTORCH_FP32), (.fp64, CTORCH_FP64),
    ]

    static func ctorchType(_ type: DataType) -> Int32? {
        typeTable.first { $0.0 == type }.map { Int32($0.1.rawValue) }
    }

    static func datatype(_ code: Int32) -> DataType? {
        typeTable.first { Int32($0.1.rawValue) == code }?.0
    }
}

/// A failure inside libtorch, with the plugin's status code.
public struct TorchError: Error, CustomStringConvertible {
    public let status: Int32
    public let message: String
    public var description: String { message }
}
