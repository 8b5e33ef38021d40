/// A dense tensor: element type, shape and contiguous little-endian bytes (row-major).
///
/// For BYTES tensors the storage holds each element as a 4-byte little-endian length followed
/// by its bytes, which is the binary form of the Open Inference Protocol.
public struct Tensor: Sendable, Equatable {
    public var datatype: DataType
    public var shape: [Int]
    public var storage: [UInt8]

    public init(datatype: DataType, shape: [Int], storage: [UInt8]) {
        self.datatype = datatype
        self.shape = shape
        self.storage = storage
    }

    public var elementCount: Int { shape.reduce(1, *) }

    /// Builds an FP32 tensor from values (tests, warm-up inputs).
    public static func float32(_ values: [Float], shape: [Int]) -> Tensor {
        Tensor(datatype: .fp32, shape: shape, storage: values.withUnsafeBytes { Array($0) })
    }

    /// The storage read as FP32 values (FP32 tensors only).
    public func float32Values() -> [Float] {
        precondition(datatype == .fp32)
        return storage.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }
}
