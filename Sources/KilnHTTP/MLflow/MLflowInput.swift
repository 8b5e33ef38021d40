import Foundation
import Hummingbird
import KilnCore
import KilnHTTPKit
import NIOCore

/// The fields of one MLflow request, read the way MLflow's server reads them: GET requests
/// carry them as query parameters, POST/PATCH/DELETE as a JSON body. Numbers may arrive as
/// JSON numbers or strings (protobuf's JSON mapping sends int64 as strings), and metric values
/// as `"NaN"`, `"Infinity"`, `"-Infinity"` (or bare `NaN`, which Python's json module writes).
struct MLflowInput: Sendable {
    var fields: [String: JSONValue]

    static func read(_ request: Request, json: JSONBody) async throws -> MLflowInput {
        if request.method == .get || request.method == .head {
            var fields: [String: JSONValue] = [:]
            for (key, value) in request.formQuery {
                let key = String(key), value = String(value)
                switch fields[key] {
                case nil: fields[key] = .string(value)
                case .array(let items)?: fields[key] = .array(items + [.string(value)])
                case let single?: fields[key] = .array([single, .string(value)])
                }
            }
            return MLflowInput(fields: fields)
        }
        let bytes = try await json.collect(request)
        if bytes.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\t") }) {
            return MLflowInput(fields: [:])
        }
        let decoder = JSONDecoder()
        decoder.allowsJSON5 = true
        guard let object = try? decoder.decode([String: JSONValue].self, from: Data(bytes)) else {
            throw KilnError.invalidArgument("request body must be a JSON object")
        }
        return MLflowInput(fields: object)
    }

    static func missing(_ key: String) -> KilnError {
        KilnError.invalidArgument("Missing value for required parameter '\(key)'. See the API docs for more information about request parameters.")
    }

    static func invalid(_ key: String, _ value: JSONValue) -> KilnError {
        KilnError.invalidArgument("Invalid value \(Self.describe(value)) for parameter '\(key)' supplied.")
    }

    private static func describe(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): "'\(text.prefix(100))'"
        case .number(let number): "\(number)"
        case .bool(let flag): "\(flag)"
        case .null: "null"
        case .array, .object: "of the wrong type"
        }
    }

    func string(_ key: String) throws -> String? {
        switch fields[key] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case .number(let number)?:
            return number.rounded() == number && abs(number) < 9e15 ? String(Int64(number)) : String(number)
        case let other?: throw Self.invalid(key, other)
        }
    }

    func require(_ key: String) throws -> String {
        guard let value = try string(key), !value.isEmpty else { throw Self.missing(key) }
        return value
    }

    func int64(_ key: String) throws -> Int64? {
        switch fields[key] {
        case nil, .null?: return nil
        case .number(let number)? where number.rounded() == number && abs(number) < 9.2e18: return Int64(number)
        case .string(let text)?:
            if text.isEmpty { return nil }
            guard let number = Int64(text) else { throw Self.invalid(key, .string(text)) }
            return number
        case let other?: throw Self.invalid(key, other)
        }
    }

    func int(_ key: String) throws -> Int? {
        try int64(key).map { Int(clamping: $0) }
    }

    func double(_ key: String) throws -> Double? {
        switch fields[key] {
        case nil, .null?: return nil
        case .number(let number)?: return number
        case .string(let text)?:
            switch text {
            case "NaN", "nan": return .nan
            case "Infinity", "inf", "+Infinity": return .infinity
            case "-Infinity", "-inf": return -.infinity
            default:
                guard let number = Double(text) else { throw Self.invalid(key, .string(text)) }
                return number
            }
        case let other?: throw Self.invalid(key, other)
        }
    }

    func bool(_ key: String) throws -> Bool? {
        switch fields[key] {
        case nil, .null?: return nil
        case .bool(let flag)?: return flag
        case .string(let text)? where text.lowercased() == "true": return true
        case .string(let text)? where text.lowercased() == "false": return false
        case let other?: throw Self.invalid(key, other)
        }
    }

    /// A repeated field: a JSON array, or one value (or a repeated query parameter).
    func strings(_ key: String) throws -> [String] {
        switch fields[key] {
        case nil, .null?: return []
        case .array(let items)?:
            return try items.map { item in
                switch item {
                case .string(let text): return text
                case .number(let number) where number.rounded() == number: return String(Int64(number))
                default: throw Self.invalid(key, item)
                }
            }
        case .string(let text)?: return [text]
        case .number(let number)? where number.rounded() == number: return [String(Int64(number))]
        case let other?: throw Self.invalid(key, other)
        }
    }

    func objects(_ key: String) throws -> [MLflowInput] {
        switch fields[key] {
        case nil, .null?: return []
        case .array(let items)?:
            return try items.map { item in
                guard case .object(let object) = item else { throw Self.invalid(key, item) }
                return MLflowInput(fields: object)
            }
        case let other?: throw Self.invalid(key, other)
        }
    }

    func rawArray(_ key: String) throws -> [JSONValue] {
        switch fields[key] {
        case nil, .null?: return []
        case .array(let items)?: return items
        case let other?: throw Self.invalid(key, other)
        }
    }

    /// `[{key, value}]` as tags or params.
    func tags(_ key: String) throws -> [TrackingTag] {
        try objects(key).map { try $0.tag() }
    }

    func tag() throws -> TrackingTag {
        TrackingTag(key: try require("key"), value: try string("value") ?? "")
    }

    /// `run_id`, or its older synonym `run_uuid`.
    func runID() throws -> String {
        if let id = try string("run_id"), !id.isEmpty { return id }
        if let id = try string("run_uuid"), !id.isEmpty { return id }
        throw Self.missing("run_id")
    }

    func metric(timestampDefault: Int64) throws -> Metric {
        guard let value = try double("value") else { throw Self.missing("value") }
        return Metric(key: try require("key"), value: value, timestamp: try int64("timestamp") ?? timestampDefault, step: try int64("step") ?? 0)
    }
}
