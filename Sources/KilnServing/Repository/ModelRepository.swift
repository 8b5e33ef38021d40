import Foundation
import KilnCore

/// What the model repository holds on disk, in Triton's layout:
/// `<root>/<name>/config.json` and `<root>/<name>/<version>/` (integer folder names) with the
/// artifact and an optional `config.json` overriding the model's for that version.
public struct ModelRepository: Sendable {
    public let root: URL

    public init(root: URL) {
        self.root = root
    }

    /// One model folder: its versions and its configuration, or why it cannot be used.
    public struct Entry: Sendable {
        public var name: String
        public var versions: [Version]
        public var problem: String?
    }

    public struct Version: Sendable {
        public var number: Int
        public var directory: URL
        public var config: ModelConfig
        public var artifact: URL

        /// Reads and checks the version's `reference.json` (nil when it has none). Read when the
        /// version is installed or loaded, not on every scan of the repository (listings, index).
        public func readReference() throws -> ReferenceSample? {
            do {
                return try ReferenceSample.read(in: directory, config: config)
            } catch let error as KilnError {
                throw KilnError.invalidArgument("version \(number): \(error.message)")
            }
        }
    }

    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 128 && !name.hasPrefix(".")
            && name.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0) }
            && name.unicodeScalars.allSatisfy(\.isASCII)
    }

    /// Every model folder; a broken one is reported in its entry, never thrown.
    public func scan() -> [Entry] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return names.sorted().filter { name in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: root.appendingPathComponent(name).path, isDirectory: &isDirectory)
                && isDirectory.boolValue && !name.hasPrefix(".")
        }.map { entry(named: $0) }
    }

    /// - Parameter pinned: versions to keep beside the policy's choice (those an alias points at).
    public func entry(named name: String, keeping pinned: Set<Int> = []) -> Entry {
        do {
            return Entry(name: name, versions: try versions(of: name, keeping: pinned), problem: nil)
        } catch let error as KilnError {
            return Entry(name: name, versions: [], problem: error.message)
        } catch {
            return Entry(name: name, versions: [], problem: "\(error)")
        }
    }

    /// The version folders (positive integer names) a model folder holds, ascending; none for
    /// a missing folder or an invalid name.
    public func versionNumbers(of name: String) -> [Int] {
        guard Self.isValidName(name) else { return [] }
        let folder = root.appendingPathComponent(name, isDirectory: true)
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).compactMap { Int($0) }.filter { $0 > 0 }.sorted()
    }

    func versions(of name: String, keeping pinned: Set<Int> = []) throws -> [Version] {
        guard Self.isValidName(name) else { throw KilnError.invalidArgument("'\(name)' is not a valid model name") }
        let folder = root.appendingPathComponent(name, isDirectory: true)
        let base = try readJSONObject(folder.appendingPathComponent("config.json"), required: true)
        let numbers = versionNumbers(of: name)
        guard !numbers.isEmpty else { throw KilnError.invalidArgument("no version folders (1/, 2/, …)") }
        let all = try numbers.map { number in
            try version(number: number, directory: folder.appendingPathComponent(String(number), isDirectory: true), base: base)
        }
        let chosen = Set(selected(all, policy: all.last?.config.versionPolicy).map(\.number)).union(pinned)
        return all.filter { chosen.contains($0.number) }
    }

    /// One installed version, whether or not the version policy serves it.
    public func version(of name: String, number: Int) throws -> Version {
        guard Self.isValidName(name) else { throw KilnError.invalidArgument("'\(name)' is not a valid model name") }
        let folder = root.appendingPathComponent(name, isDirectory: true)
        return try version(number: number, directory: folder.appendingPathComponent(String(number), isDirectory: true),
                           base: try readJSONObject(folder.appendingPathComponent("config.json"), required: true))
    }

    /// A version that is not in the repository yet (an upload being validated, a retraining candidate).
    public func stagedVersion(number: Int, directory: URL, modelConfig: URL) throws -> Version {
        try version(number: number, directory: directory, base: try readJSONObject(modelConfig, required: true))
    }

    /// One version folder: the model's config with the folder's `config.json` laid over it,
    /// decoded, validated, and the artifact located.
    func version(number: Int, directory: URL, base: [String: JSONValue]) throws -> Version {
        let override = try readJSONObject(directory.appendingPathComponent("config.json"), required: false)
        let config: ModelConfig
        do {
            config = try JSONDecoder().decode(ModelConfig.self, from: JSONEncoder().encode(base.merging(override) { _, new in new }))
        } catch let error as DecodingError {
            throw KilnError.invalidArgument("version \(number): config.json: \(Self.describe(error))")
        }
        try config.validate()
        return Version(number: number, directory: directory, config: config, artifact: try artifact(in: directory, for: config.platform))
    }

    /// Applies the version policy (default: the latest version only, as Triton does).
    func selected(_ versions: [Version], policy: ModelConfig.VersionPolicy?) -> [Version] {
        if policy?.all == true { return versions }
        if let specific = policy?.specific { return versions.filter { specific.contains($0.number) } }
        return Array(versions.suffix(max(1, policy?.latest ?? 1)))
    }

    func artifact(in directory: URL, for platform: ModelConfig.Platform) throws -> URL {
        let candidates = platform == .pytorchLibtorch ? ["model.pt"] : ["model.json", "model.ubj"]
        for name in candidates where FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path) {
            return directory.appendingPathComponent(name)
        }
        throw KilnError.invalidArgument("version \(directory.lastPathComponent) has no \(candidates.joined(separator: " or "))")
    }

    func readJSONObject(_ url: URL, required: Bool) throws -> [String: JSONValue] {
        guard FileManager.default.fileExists(atPath: url.path) else {
            if required { throw KilnError.invalidArgument("missing config.json") }
            return [:]
        }
        guard let object = try? JSONDecoder().decode([String: JSONValue].self, from: Data(contentsOf: url)) else {
            throw KilnError.invalidArgument("\(url.lastPathComponent) is not a JSON object")
        }
        return object
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): "missing field '\(key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            "field '\(context.codingPath.map(\.stringValue).joined(separator: "."))': \(context.debugDescription)"
        @unknown default: "invalid"
        }
    }
}
