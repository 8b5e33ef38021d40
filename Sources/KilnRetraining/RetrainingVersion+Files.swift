import Foundation
import KilnCore

extension RetrainingVersion {
    /// An installed version: `<root>/<model>/<number>/`, its config laid over the model's.
    static func installed(model: String, number: Int, root: URL) throws -> RetrainingVersion {
        let modelFolder = root.appendingPathComponent(model, isDirectory: true)
        let folder = modelFolder.appendingPathComponent(String(number), isDirectory: true)
        let base = try readObject(modelFolder.appendingPathComponent("config.json")) ?? [:]
        let override = try readObject(folder.appendingPathComponent("config.json")) ?? [:]
        return RetrainingVersion(model: model, number: number, folder: folder, config: base.merging(override) { $1 })
    }

    /// The candidate the trainer wrote into `folder`: its `config.json` laid over the model's
    /// config, as it will be once installed.
    static func staged(model: String, folder: URL, champion: RetrainingVersion) throws -> RetrainingVersion {
        let base = try readObject(champion.folder.deletingLastPathComponent().appendingPathComponent("config.json")) ?? [:]
        let override = try readObject(folder.appendingPathComponent("config.json")) ?? [:]
        return RetrainingVersion(model: model, number: nil, folder: folder, config: base.merging(override) { $1 })
    }

    /// Writes the retraining's record (data, scores, decision) into the staged version's
    /// `metadata.retraining`, so the version says where it came from and why it is or is not served.
    func recordInStagedConfig(_ record: JSONValue) throws {
        let url = folder.appendingPathComponent("config.json")
        var override = try Self.readObject(url) ?? [:]
        var metadata = metadata
        metadata["retraining"] = record
        override["metadata"] = .object(metadata)
        try Data(JSONValue.object(override).jsonBytes).write(to: url, options: .atomic)
    }

    static func readObject(_ url: URL) throws -> [String: JSONValue]? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        guard case .object(let object) = try JSONReader.value([UInt8](Data(contentsOf: url))) else {
            throw KilnError(.internal, "\(url.lastPathComponent) of a model version is not a JSON object")
        }
        return object
    }
}
