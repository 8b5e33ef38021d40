import Foundation

/// Builds a `KilnConfig` from its layers: defaults < config file < environment < flags.
public enum ConfigLoader {
    /// - Parameters:
    ///   - file: path of a JSON config file whose keys are setting names (`{"port": 9000}`).
    ///   - environment: the process environment; only `KILN_*` names are read.
    ///   - flags: setting name → value for the flags given on the command line.
    public static func load(file: String?, environment: [String: String], flags: [String: String]) throws -> KilnConfig {
        var config = KilnConfig()
        if let file {
            for (name, value) in try readFile(file) {
                try apply(name, value, to: &config, source: "config file \(file)")
            }
        }
        for setting in ConfigSetting.all {
            for variable in setting.environmentNames {
                if let value = environment[variable] {
                    try apply(setting.name, value, to: &config, source: "environment variable \(variable)")
                }
            }
        }
        for (name, value) in flags.sorted(by: { $0.key < $1.key }) {
            try apply(name, value, to: &config, source: "flag --\(name.replacingOccurrences(of: "_", with: "-"))")
        }
        return config
    }

    static func apply(_ name: String, _ value: String, to config: inout KilnConfig, source: String) throws {
        guard let setting = ConfigSetting.named(name) else {
            throw KilnError.invalidArgument("unknown setting '\(name)' in \(source)")
        }
        do {
            try setting.apply(&config, value)
        } catch let error as KilnError {
            throw KilnError.invalidArgument("\(name) from \(source): \(error.message)")
        }
    }

    /// Reads a flat JSON object; numbers and booleans become their textual form so that every
    /// layer goes through the same validation.
    static func readFile(_ path: String) throws -> [(String, String)] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw KilnError.invalidArgument("cannot read config file \(path): \(error.localizedDescription)")
        }
        guard let object = try? JSONDecoder().decode([String: JSONValue].self, from: data) else {
            throw KilnError.invalidArgument("config file \(path) is not a JSON object")
        }
        return try object.keys.sorted().map { key in
            switch object[key] {
            case .string(let value): return (key, value)
            case .bool(let value): return (key, value ? "true" : "false")
            case .number(let value):
                return (key, value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value))
            default:
                throw KilnError.invalidArgument("config file \(path): '\(key)' must be a string, number or boolean")
            }
        }
    }
}
