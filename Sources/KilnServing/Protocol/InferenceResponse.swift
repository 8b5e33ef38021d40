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

    /// The Open Inference Protocol body, in one array (what a job stores).
    public func encoded() -> InferenceResponseBody {
        let header = encodedHeader()
        let binaries = binaryOutputs
        var bytes: [UInt8] = []
        bytes.reserveCapacity(header.utf8.count + binaries.reduce(0) { $0 + $1.count })
        bytes.append(contentsOf: header.utf8)
        let headerLength = bytes.count
        for binary in binaries { bytes.append(contentsOf: binary) }
        return InferenceResponseBody(bytes: bytes, jsonHeaderLength: binaries.isEmpty ? nil : headerLength)
    }

    /// True when binary outputs follow the JSON header (`Inference-Header-Content-Length`).
    public var hasBinaryOutputs: Bool { outputs.contains(where: \.binary) }

    /// The binary outputs' bytes in body order, for a transport that writes them after
    /// `encodedHeader()` straight into its own buffer (one copy of each tensor, not two).
    public var binaryOutputs: [[UInt8]] { outputs.filter(\.binary).map(\.tensor.storage) }

    /// The JSON part of the body: every output, with `data` for JSON outputs and
    /// `binary_data_size` for binary ones.
    public func encodedHeader() -> String {
        var json = #"{"model_name":"# + TensorCoding.jsonString(modelName) + #","model_version":"\#(modelVersion)""#
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
        return json + "]}"
    }
}

/// An Open Inference Protocol response body: JSON, or a JSON header followed by binary outputs.
public struct InferenceResponseBody: Sendable {
    public var bytes: [UInt8]
    /// Set when binary outputs follow the JSON header (`Inference-Header-Content-Length`).
    public var jsonHeaderLength: Int?
}
