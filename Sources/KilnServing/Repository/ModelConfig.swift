import KilnCore

/// A model's `config.json`, in Triton's vocabulary.
public struct ModelConfig: Sendable, Codable, Equatable {
    public enum Platform: String, Sendable, Codable {
        /// TorchScript (`model.pt`), as Triton names it.
        case pytorchLibtorch = "pytorch_libtorch"
        /// XGBoost (`model.json` or `model.ubj`).
        case xgboost
    }

    public struct TensorSpec: Sendable, Codable, Equatable {
        public var name: String
        public var datatype: DataType
        /// -1 marks a variable dimension. With `max_batch_size` > 0 the first dimension is the batch.
        public var shape: [Int]
    }

    public struct DynamicBatching: Sendable, Codable, Equatable {
        public var maxQueueDelayUs: Int?
        public var preferredBatchSizes: [Int]?

        enum CodingKeys: String, CodingKey {
            case maxQueueDelayUs = "max_queue_delay_us"
            case preferredBatchSizes = "preferred_batch_sizes"
        }
    }

    public struct VersionPolicy: Sendable, Codable, Equatable {
        public var latest: Int?
        public var specific: [Int]?
        public var all: Bool?
    }

    public var platform: Platform
    public var inputs: [TensorSpec]
    public var outputs: [TensorSpec]
    /// 0: the model takes no batch dimension and requests are never combined.
    public var maxBatchSize: Int?
    public var dynamicBatching: DynamicBatching?
    public var instanceCount: Int?
    public var versionPolicy: VersionPolicy?
    public var labels: [String]?
    public var metadata: [String: JSONValue]?
    /// Requests run once at load, so that the first real request does not pay for lazy
    /// initialisation (libtorch's graph optimisation, allocator warm-up).
    public var warmup: [WarmupSample]?

    /// One warm-up request: each input with `data`, or `zero_data: true` for zeros.
    public struct WarmupSample: Sendable, Codable, Equatable {
        public var inputs: [WarmupInput]
    }

    public struct WarmupInput: Sendable, Codable, Equatable {
        public var name: String
        public var shape: [Int]
        public var data: [Double]?
        public var zeroData: Bool?

        enum CodingKeys: String, CodingKey {
            case name, shape, data
            case zeroData = "zero_data"
        }
    }

    enum CodingKeys: String, CodingKey {
        case platform, inputs, outputs, labels, metadata, warmup
        case maxBatchSize = "max_batch_size"
        case dynamicBatching = "dynamic_batching"
        case instanceCount = "instance_count"
        case versionPolicy = "version_policy"
    }

    public var batchLimit: Int { maxBatchSize ?? 0 }
    public var instances: Int { max(1, instanceCount ?? 1) }

    /// Checks what the runtimes rely on; the message says which field is wrong.
    public func validate() throws {
        func fail(_ message: String) -> KilnError { KilnError.invalidArgument("config.json: \(message)") }
        guard !inputs.isEmpty else { throw fail("at least one input is required") }
        guard !outputs.isEmpty else { throw fail("at least one output is required") }
        for spec in inputs + outputs {
            guard !spec.name.isEmpty else { throw fail("tensor names must not be empty") }
            guard spec.shape.allSatisfy({ $0 == -1 || $0 > 0 }) else { throw fail("shape of '\(spec.name)' may hold positive sizes and -1 only") }
        }
        for (label, specs) in [("input", inputs), ("output", outputs)] where Set(specs.map(\.name)).count != specs.count {
            throw fail("\(label) names must be unique")
        }
        guard batchLimit >= 0, batchLimit <= 65_536 else { throw fail("max_batch_size must be in 0...65536") }
        if batchLimit > 0 {
            for spec in inputs + outputs where spec.shape.first != -1 {
                throw fail("with max_batch_size > 0 the first dimension of '\(spec.name)' must be -1 (the batch)")
            }
        }
        guard (1...64).contains(instances) else { throw fail("instance_count must be in 1...64") }
        if let delay = dynamicBatching?.maxQueueDelayUs, !(0...10_000_000).contains(delay) {
            throw fail("dynamic_batching.max_queue_delay_us must be in 0...10000000")
        }
        for sample in warmup ?? [] {
            guard Set(sample.inputs.map(\.name)) == Set(inputs.map(\.name)) else {
                throw fail("each warmup sample must give every input: \(inputs.map(\.name))")
            }
            for input in sample.inputs where input.shape.contains(where: { $0 <= 0 }) || input.shape.reduce(1, *) > 1 << 24 {
                throw fail("warmup input '\(input.name)' needs a concrete shape of at most 16M elements")
            }
        }
        if platform == .xgboost {
            guard inputs.count == 1, inputs[0].datatype == .fp32, inputs[0].shape.count == 2 else {
                throw fail("an xgboost model takes one FP32 input of shape [-1, features]")
            }
            guard outputs.count == 1, outputs[0].datatype == .fp32 else {
                throw fail("an xgboost model has one FP32 output")
            }
        }
    }
}

extension ModelConfig {
    /// The warm-up samples as tensors, in the order of `inputs`.
    public func warmupTensors() throws -> [[Tensor]] {
        try (warmup ?? []).map { sample in
            try inputs.map { spec in
                let input = sample.inputs.first { $0.name == spec.name }!
                let count = input.shape.reduce(1, *)
                let values = input.zeroData == true ? [Double](repeating: 0, count: count) : (input.data ?? [])
                guard values.count == count, let size = spec.datatype.elementSize else {
                    throw KilnError.invalidArgument("config.json: warmup input '\(spec.name)' needs \(count) numeric values or zero_data")
                }
                var storage = [UInt8](repeating: 0, count: count * size)
                if input.zeroData != true {
                    storage = try TensorValues.encode(values, as: spec.datatype)
                }
                return Tensor(datatype: spec.datatype, shape: input.shape, storage: storage)
            }
        }
    }
}

/// Numbers into little-endian tensor bytes, for the numeric datatypes.
enum TensorValues {
    static func encode(_ values: [Double], as datatype: DataType) throws -> [UInt8] {
        var bytes: [UInt8] = []
        func append<T>(_ value: T) { withUnsafeBytes(of: value) { bytes.append(contentsOf: $0) } }
        for value in values {
            switch datatype {
            case .fp32: append(Float(value))
            case .fp64: append(value)
            case .int64: append(Int64(value))
            case .int32: append(Int32(value))
            case .int16: append(Int16(value))
            case .int8: append(Int8(value))
            case .uint8: append(UInt8(value))
            case .bool: append(UInt8(value != 0 ? 1 : 0))
            default: throw KilnError.invalidArgument("warmup data for \(datatype.rawValue) inputs is not supported; use zero_data")
            }
        }
        return bytes
    }
}
