import KilnCore

/// A typed inference answer: the tensors a model returned, as the caller selected them. REST
/// encodes it (`encoded()`); jobs and apps read the tensors.
public struct InferenceResponse: Sendable {
    public struct Output: Sendable {
        public var name: String
        public var tensor: Tensor
        /// Return this output in the binary extension (REST only).
        public var binary: Bool
    }

    public var modelName: String
    public var modelVersion: Int
    public var id: String?
    public var outputs: [Output]

    /// The output named `name`.
    public func output(_ name: String) -> Tensor? {
        outputs.first { $0.name == name }?.tensor
    }

    /// The Open Inference Protocol body.
    public func encoded() -> InferenceResponseBody {
        InferenceResponseBody.encode(modelName: modelName, version: modelVersion, id: id,
                                     outputs: outputs.map { ($0.name, $0.tensor, $0.binary) })
    }
}

/// An Open Inference Protocol response body: JSON, or a JSON header followed by binary outputs.
public struct InferenceResponseBody: Sendable {
    public var bytes: [UInt8]
    /// Set when binary outputs follow the JSON header (`Inference-Header-Content-Length`).
    public var jsonHeaderLength: Int?

    static func encode(
        modelName: String, version: Int, id: String?, outputs: [(name: String, tensor: Tensor, binary: Bool)]
    ) -> InferenceResponseBody {
        var json = #"{"model_name":"# + TensorCoding.jsonString(modelName) + #","model_version":"\#(version)""#
        if let id { json += #","id":"# + TensorCoding.jsonString(id) }
        json += #","outputs":["#
        for (index, output) in outputs.enumerated() {
            if index > 0 { json += "," }
            json += #"{"name":"# + TensorCoding.jsonString(output.name)
            json += #","datatype":"\#(output.tensor.datatype.rawValue)","shape":[\#(output.tensor.shape.map(String.init).joined(separator: ","))]"#
            if output.binary {
                json += #","parameters":{"binary_data_size":\#(output.tensor.storage.count)}}"#
            } else {
                json += #","data":"#
                TensorCoding.appendJSON(output.tensor, to: &json)
                json += "}"
            }
        }
        json += "]}"
        // Binary outputs are copied once, straight after the header in one buffer.
        let binary = outputs.filter(\.binary)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(json.utf8.count + binary.reduce(0) { $0 + $1.tensor.storage.count })
        bytes.append(contentsOf: json.utf8)
        let headerLength = bytes.count
        for output in binary { bytes.append(contentsOf: output.tensor.storage) }
        return InferenceResponseBody(bytes: bytes, jsonHeaderLength: binary.isEmpty ? nil : headerLength)
    }
}
