import Foundation
import KilnCore
import KilnServing

extension RetrainingVersion {
    /// An installed version, read by the model repository.
    static func installed(model: String, number: Int, repository: ModelRepository) throws -> RetrainingVersion {
        let version = try repository.version(of: model, number: number)
        return RetrainingVersion(model: model, number: number, folder: version.directory, config: version.config)
    }

    /// The candidate the trainer wrote into `folder`, read as the repository will read it once
    /// installed (the model's `config.json` under the candidate's; checked, artifact present).
    static func staged(model: String, folder: URL, repository: ModelRepository) throws -> RetrainingVersion {
        let modelConfig = repository.root.appendingPathComponent(model, isDirectory: true).appendingPathComponent("config.json")
        let version = try repository.stagedVersion(number: 0, directory: folder, modelConfig: modelConfig)
        return RetrainingVersion(model: model, number: nil, folder: folder, config: version.config)
    }

    /// Writes the retraining's record (data, scores, decision) into the staged version's
    /// `metadata.retraining`, so the version says where it came from and why it is or is not served.
    func recordInStagedConfig(_ record: JSONValue) throws {
        let url = folder.appendingPathComponent("config.json")
        var override: [String: JSONValue] = [:]
        if FileManager.default.fileExists(atPath: url.path) {
            guard case .object(let object) = try JSONReader.value([UInt8](Data(contentsOf: url))) else {
                throw KilnError(.internal, "the candidate's config.json is not a JSON object")
            }
            override = object
        }
        var metadata = metadata
        metadata["retraining"] = record
        override["metadata"] = .object(metadata)
        try Data(JSONValue.object(override).jsonBytes).write(to: url, options: .atomic)
    }
}
