import KilnCore

/// Reads the JSON part of a V2 inference request (the whole body, or the header before binary
/// tensors) with `JSONReader`. Unknown fields are skipped, `null` counts as absent, and every
/// problem is an `invalid_argument` that names the field ("inputs.0.shape").
enum InferenceHeaderParser {
    typealias Header = InferenceRequestDecoder.Header

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws -> Header {
        do {
            return try JSONReader.parse(bytes) { reader in
                guard reader.peekValueStart() == UInt8(ascii: "{") else {
                    throw KilnError.invalidArgument("invalid inference request: the JSON header is not a JSON object")
                }
                return try header(&reader)
            }
        } catch let failure as JSONReader.Failure {
            // Type mismatches are caught where the field is known; what reaches here is malformed JSON.
            throw KilnError.invalidArgument("invalid inference request: the JSON header is not valid JSON (\(failure))")
        }
    }

    private static func header(_ reader: inout JSONReader) throws -> Header {
        var id: String?
        var parameters: [String: JSONValue]?
        var inputs: [Header.Input]?
        var outputs: [Header.Output]?
        try reader.readObject { reader, key in
            switch key {
            case "id": id = try field("id") { try reader.readNullIfPresent() ? nil : reader.readString() }
            case "parameters": parameters = try field("parameters") { try optionalObject(&reader) }
            case "inputs":
                inputs = try field("inputs") { try reader.readNullIfPresent() ? nil : list(&reader, path: "inputs", input) }
            case "outputs":
                outputs = try field("outputs") { try reader.readNullIfPresent() ? nil : list(&reader, path: "outputs", output) }
            default: _ = try reader.readValue()
            }
        }
        guard let inputs else { throw missing("inputs") }
        return Header(id: id, parameters: parameters, inputs: inputs, outputs: outputs)
    }

    private static func input(_ reader: inout JSONReader, path: Path) throws -> Header.Input {
        var name: String?
        var shape: [Int]?
        var datatype: String?
        var parameters: [String: JSONValue]?
        var data: TensorData?
        try reader.readObject { reader, key in
            switch key {
            case "name": name = try field("\(path).name") { try reader.readString() }
            case "datatype": datatype = try field("\(path).datatype") { try reader.readString() }
            case "shape":
                shape = try field("\(path).shape") {
                    var dimensions: [Int] = []
                    try reader.readArray { reader in dimensions.append(try reader.readInt()) }
                    return dimensions
                }
            case "parameters": parameters = try field("\(path).parameters") { try optionalObject(&reader) }
            case "data": data = try field("\(path).data") { try reader.readNullIfPresent() ? nil : TensorData.read(&reader) }
            default: _ = try reader.readValue()
            }
        }
        guard let name else { throw missing("\(path).name") }
        guard let shape else { throw missing("\(path).shape") }
        guard let datatype else { throw missing("\(path).datatype") }
        return Header.Input(name: name, shape: shape, datatype: datatype, parameters: parameters, data: data)
    }

    private static func output(_ reader: inout JSONReader, path: Path) throws -> Header.Output {
        var name: String?
        var parameters: [String: JSONValue]?
        try reader.readObject { reader, key in
            switch key {
            case "name": name = try field("\(path).name") { try reader.readString() }
            case "parameters": parameters = try field("\(path).parameters") { try optionalObject(&reader) }
            default: _ = try reader.readValue()
            }
        }
        guard let name else { throw missing("\(path).name") }
        return Header.Output(name: name, parameters: parameters)
    }

    private static func list<T>(
        _ reader: inout JSONReader, path: String, _ element: (inout JSONReader, Path) throws -> T
    ) throws -> [T] {
        var items: [T] = []
        try reader.readArray { reader in
            let index = items.count
            items.append(try field("\(path).\(index)") { try element(&reader, Path(list: path, index: index)) })
        }
        return items
    }

    private static func optionalObject(_ reader: inout JSONReader) throws -> [String: JSONValue]? {
        if try reader.readNullIfPresent() { return nil }
        var members: [String: JSONValue] = [:]
        try reader.readObject { reader, key in members[key] = try reader.readValue() }
        return members
    }

    /// Runs one field's read, turning a type mismatch into an error that names the field.
    private static func field<T>(_ path: @autoclosure () -> String, _ read: () throws -> T) throws -> T {
        do {
            return try read()
        } catch JSONReader.Failure.typeMismatch {
            throw KilnError.invalidArgument("invalid inference request: field '\(path())' has the wrong type")
        } catch JSONReader.Failure.numberOutOfRange {
            throw KilnError.invalidArgument("invalid inference request: field '\(path())' holds a number out of range")
        }
    }

    /// Where an input or output sits, turned into text only for an error message.
    struct Path: CustomStringConvertible {
        var list: String
        var index: Int
        var description: String { "\(list).\(index)" }
    }

    private static func missing(_ path: String) -> KilnError {
        KilnError.invalidArgument("invalid inference request: missing field '\(path)'")
    }
}
