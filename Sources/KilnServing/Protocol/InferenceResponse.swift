import KilnCore

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
        var binary: [UInt8] = []
        for (index, output) in outputs.enumerated() {
            if index > 0 { json += "," }
            json += #"{"name":"# + TensorCoding.jsonString(output.name)
            json += #","datatype":"\#(output.tensor.datatype.rawValue)","shape":[\#(output.tensor.shape.map(String.init).joined(separator: ","))]"#
            if output.binary {
                json += #","parameters":{"binary_data_size":\#(output.tensor.storage.count)}}"#
                binary.append(contentsOf: output.tensor.storage)
            } else {
                json += #","data":"#
                TensorCoding.appendJSON(output.tensor, to: &json)
                json += "}"
            }
        }
        json += "]}"
        let header = Array(json.utf8)
        if outputs.contains(where: \.binary) {
            return InferenceResponseBody(bytes: header + binary, jsonHeaderLength: header.count)
        }
        return InferenceResponseBody(bytes: header, jsonHeaderLength: nil)
    }
}
