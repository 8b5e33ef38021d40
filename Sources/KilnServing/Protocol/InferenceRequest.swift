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
    }

    public var id: String?
    public var inputs: [String: Tensor]
    /// Outputs to return, in request order; nil: all, in config order.
    public var outputs: [RequestedOutput]?
    /// `parameters.binary_data_output`: return every output in binary.
    public var binaryOutputByDefault: Bool
    /// `parameters.timeout`, in microseconds, as Triton defines it.
    public var timeoutMicroseconds: Int?
}

/// Decoding of V2 request bodies. Every malformed body is an `invalid_argument` naming what is wrong.
public struct InferenceRequestDecoder: Sendable {
    public var maxElements: Int

    public init(maxElements: Int) {
        self.maxElements = maxElements
    }

    struct Header: Decodable {
        struct Input: Decodable {
            var name: String
            var shape: [Int]
            var datatype: String
            var parameters: [String: JSONValue]?
            var data: TensorData?
        }
        struct Output: Decodable {
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
        let jsonEnd = headerLength ?? body.count
        guard jsonEnd >= 0, jsonEnd <= body.count else {
            throw KilnError.invalidArgument("Inference-Header-Content-Length (\(jsonEnd)) is larger than the body (\(body.count) bytes)")
        }
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: Data(body[0..<jsonEnd]))
        } catch let error as DecodingError {
            throw KilnError.invalidArgument("invalid inference request: \(Self.describe(error))")
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
                storage = Array(body[offset..<(offset + byteCount)])
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
            timeoutMicroseconds: timeout)
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context):
            "missing field '\((context.codingPath + [key]).map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: "."))'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            "field '\(context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: "."))' has the wrong type"
        case .dataCorrupted(let context):
            context.codingPath.isEmpty ? "the JSON header is not valid JSON" : "field '\(context.codingPath.map(\.stringValue).joined(separator: "."))' is invalid"
        @unknown default: "invalid"
        }
    }
}

/// The `data` of a JSON input. Flat and 2-D arrays of numbers, the common case, decode straight
/// into `[Double]` (an order of magnitude faster than a generic JSON value per element);
/// anything else (nested deeper, booleans, strings) goes through `JSONValue`.
struct TensorData: Decodable {
    var numbers: [Double]?
    var value: JSONValue?

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let flat = try? container.decode([Double].self) {
            numbers = flat
        } else if let rows = try? container.decode([[Double]].self) {
            numbers = rows.flatMap { $0 }
        } else {
            value = try container.decode(JSONValue.self)
        }
    }

    func encode(datatype: DataType, elements: Int, name: String) throws -> [UInt8] {
        if let numbers, datatype == .fp32 || datatype == .fp64 {
            guard numbers.count == elements else {
                throw KilnError.invalidArgument("input '\(name)': shape says \(elements) elements, data has \(numbers.count)")
            }
            if datatype == .fp32 {
                return numbers.map(Float.init).withUnsafeBytes { Array($0) }
            }
            return numbers.withUnsafeBytes { Array($0) }
        }
        let json = value ?? .array((numbers ?? []).map(JSONValue.number))
        return try TensorCoding.encodeJSON(json, datatype: datatype, elements: elements, name: name)
    }
}
