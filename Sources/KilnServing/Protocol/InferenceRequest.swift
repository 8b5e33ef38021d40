import Foundation
import KilnCore

/// An Open Inference Protocol request, decoded from JSON or from the binary tensor extension
/// (a JSON header followed by raw tensor bytes).
public struct InferenceRequest: Sendable {
    public struct RequestedOutput: Sendable {
        public var name: String
        public var binary: Bool
        /// Triton's classification extension: return the top k classes as BYTES
        /// `"score:index:label"` instead of the scores.
        public var classCount: Int?

        public init(name: String, binary: Bool = false, classCount: Int? = nil) {
            self.name = name
            self.binary = binary
            self.classCount = classCount
        }
    }

    public var id: String?
    public var inputs: [String: Tensor]
    /// Outputs to return, in request order; nil: all, in config order.
    public var outputs: [RequestedOutput]?
    /// `parameters.binary_data_output`: return every output in binary.
    public var binaryOutputByDefault: Bool
    /// `parameters.timeout`, in microseconds, as Triton defines it.
    public var timeoutMicroseconds: Int?
    /// The request's `parameters` object as sent (inference ignores the ones it does not know;
    /// `/explain` reads its options from it).
    public var parameters: [String: JSONValue]

    /// A request built in process (an app, a job): inputs by name, every output returned.
    public init(id: String? = nil, inputs: [String: Tensor], outputs: [RequestedOutput]? = nil,
                binaryOutputByDefault: Bool = false, timeoutMicroseconds: Int? = nil, parameters: [String: JSONValue] = [:]) {
        self.id = id
        self.inputs = inputs
        self.outputs = outputs
        self.binaryOutputByDefault = binaryOutputByDefault
        self.timeoutMicroseconds = timeoutMicroseconds
        self.parameters = parameters
    }
}

/// Decoding of V2 request bodies. Every malformed body is an `invalid_argument` naming what is wrong.
public struct InferenceRequestDecoder: Sendable {
    public var maxElements: Int

    public init(maxElements: Int) {
        self.maxElements = maxElements
    }

    struct Header {
        struct Input {
            var name: String
            var shape: [Int]
            var datatype: String
            var parameters: [String: JSONValue]?
            var data: TensorData?
        }
        struct Output {
            var name: String
            var parameters: [String: JSONValue]?
        }
        var id: String?
        var parameters: [String: JSONValue]?
        var inputs: [Input]
        var outputs: [Output]?
    }

    /// - Parameter headerLength: the `Inference-Header-Content-Length` value, when present.
    public func decode(body: [UInt8], headerLength: Int?) throws -> InferenceRequest {
        try body.withUnsafeBytes { try decode(body: $0, headerLength: headerLength) }
    }

    /// Decodes straight from the transport's buffer (no copy of the whole body first); each
    /// binary input is copied once, into the tensor that owns it.
    public func decode(body: UnsafeRawBufferPointer, headerLength: Int?) throws -> InferenceRequest {
        let jsonEnd = headerLength ?? body.count
        guard jsonEnd >= 0, jsonEnd <= body.count else {
            throw KilnError.invalidArgument("Inference-Header-Content-Length (\(jsonEnd)) is larger than the body (\(body.count) bytes)")
        }
        let header = try UnsafeRawBufferPointer(rebasing: body[0..<jsonEnd]).withMemoryRebound(to: UInt8.self) { buffer in
            try InferenceHeaderParser.parse(buffer)
        }
        var offset = jsonEnd
        var inputs: [String: Tensor] = [:]
        for input in header.inputs {
            guard let datatype = DataType(rawValue: input.datatype) else {
                throw KilnError.invalidArgument("input '\(input.name)': unknown datatype '\(input.datatype)'")
            }
            guard input.shape.allSatisfy({ $0 >= 0 }) else {
                throw KilnError.invalidArgument("input '\(input.name)': shape \(input.shape) has a negative dimension")
            }
            let (elements, overflow) = input.shape.reduce((1, false)) { partial, dimension in
                let (product, overflowed) = partial.0.multipliedReportingOverflow(by: dimension)
                return (product, partial.1 || overflowed)
            }
            guard !overflow, elements <= maxElements else {
                throw KilnError.invalidArgument("input '\(input.name)' has more than \(maxElements) elements")
            }
            guard inputs[input.name] == nil else {
                throw KilnError.invalidArgument("input '\(input.name)' is given twice")
            }
            let storage: [UInt8]
            if case .number(let size)? = input.parameters?["binary_data_size"] {
                let byteCount = Int(size)
                guard byteCount >= 0, offset + byteCount <= body.count else {
                    throw KilnError.invalidArgument("input '\(input.name)': binary data is truncated (needs \(byteCount) bytes, \(body.count - offset) left)")
                }
                storage = Array(UnsafeRawBufferPointer(rebasing: body[offset..<(offset + byteCount)]))
                offset += byteCount
                try TensorCoding.checkBinary(storage, datatype: datatype, elements: elements, name: input.name)
            } else if let data = input.data {
                storage = try data.encode(datatype: datatype, elements: elements, name: input.name)
            } else {
                throw KilnError.invalidArgument("input '\(input.name)' has neither data nor parameters.binary_data_size")
            }
            inputs[input.name] = Tensor(datatype: datatype, shape: input.shape, storage: storage)
        }
        guard offset == body.count else {
            throw KilnError.invalidArgument("\(body.count - offset) unexpected byte(s) after the binary inputs")
        }
        let outputs = header.outputs?.map { output -> InferenceRequest.RequestedOutput in
            var classCount: Int?
            if case .number(let k)? = output.parameters?["classification"] { classCount = Int(k) }
            return InferenceRequest.RequestedOutput(
                name: output.name, binary: output.parameters?["binary_data"] == .bool(true), classCount: classCount)
        }
        var timeout: Int?
        if case .number(let value)? = header.parameters?["timeout"] { timeout = Int(value) }
        return InferenceRequest(
            id: header.id, inputs: inputs, outputs: outputs,
            binaryOutputByDefault: header.parameters?["binary_data_output"] == .bool(true),
            timeoutMicroseconds: timeout, parameters: header.parameters ?? [:])
    }
}

/// The `data` of a JSON input, flattened row-major while it is read. Arrays of numbers, the
/// common case, stay `[Double]` (no `JSONValue` per element); an array holding anything else
/// (booleans, strings) is kept as values and checked against the datatype later.
enum TensorData {
    case numbers([Double])
    case values([JSONValue])

    static func read(_ reader: inout JSONReader) throws -> TensorData {
        var numbers: [Double] = []
        var values: [JSONValue]?
        func element(_ reader: inout JSONReader) throws {
            switch reader.peekValueStart() ?? 0 {
            case UInt8(ascii: "["):
                try reader.readArray(element)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                let number = try reader.readNumber()
                if values == nil { numbers.append(number) } else { values!.append(.number(number)) }
            default:
                if values == nil {
                    values = numbers.map(JSONValue.number)
                    numbers = []
                }
                values!.append(try reader.readValue())
            }
        }
        try element(&reader)
        return values.map(TensorData.values) ?? .numbers(numbers)
    }

    func encode(datatype: DataType, elements: Int, name: String) throws -> [UInt8] {
        let count = switch self {
        case .numbers(let numbers): numbers.count
        case .values(let values): values.count
        }
        guard count == elements else {
            throw KilnError.invalidArgument("input '\(name)': shape says \(elements) elements, data has \(count)")
        }
        switch self {
        case .numbers(let numbers) where datatype == .fp32:
            return numbers.map(Float.init).withUnsafeBytes { Array($0) }
        case .numbers(let numbers) where datatype == .fp64:
            return numbers.withUnsafeBytes { Array($0) }
        case .numbers(let numbers):
            return try TensorCoding.encodeJSON(numbers.map(JSONValue.number), datatype: datatype, name: name)
        case .values(let values):
            return try TensorCoding.encodeJSON(values, datatype: datatype, name: name)
        }
    }
}
