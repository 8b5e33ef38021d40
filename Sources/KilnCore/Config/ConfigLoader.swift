import Foundation

/// Builds a `KilnConfig` from its layers: defaults < config file < environment < flags.
public enum ConfigLoader {
    /// - Parameters:
    ///   - file: path of a JSON config file whose keys are setting names (`{"port": 9000}`).
    ///   - environment: the process environment; only `KILN_*` names are read.
    ///   - flags: setting name → value for the flags given on the command line.
    ///   - settings: every setting this server knows: the platform's and its apps'.
    public static func load(
        file: String?, environment: [String: String], flags: [String: String], settings: [ConfigSetting] = ConfigSetting.platform
    ) throws -> KilnConfig {
        let known = try index(settings)
        var config = KilnConfig()
        if let file {
            for (name, value) in try readFile(file) {
                try apply(name, value, to: &config, source: "config file \(file)", known: known)
            }
        }
        for setting in settings {
            for variable in setting.environmentNames {
                if let value = environment[variable] {
                    try apply(setting.name, value, to: &config, source: "environment variable \(variable)", known: known)
                }
            }
        }
        for (name, value) in flags.sorted(by: { $0.key < $1.key }) {
            try apply(name, value, to: &config, source: "flag --\(name.replacingOccurrences(of: "_", with: "-"))", known: known)
        }
        return config
    }

    /// Settings by name; two modules claiming one name is a programming error reported at start.
    static func index(_ settings: [ConfigSetting]) throws -> [String: ConfigSetting] {
        var known: [String: ConfigSetting] = [:]
        for setting in settings {
            guard known.updateValue(setting, forKey: setting.name) == nil else {
                throw KilnError.invalidArgument("the setting '\(setting.name)' is defined twice")
            }
        }
        return known
    }

    static func apply(_ name: String, _ value: String, to config: inout KilnConfig, source: String, known: [String: ConfigSetting]) throws {
        guard let setting = known[name] else {
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
