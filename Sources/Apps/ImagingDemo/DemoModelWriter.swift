import ImagingApp
import Foundation
import KilnCore
import KilnServing

/// Writes a trained demo model as the next version of `<repository>/<name>/`: the artifact and
/// `config.json` go into a staging folder that is renamed into place, so a half-written version
/// is never visible to the repository scan. The model-level `config.json` is written when missing
/// (it makes the folder a servable model; a version's config overrides it).
enum DemoModelWriter {
    static func write(name: String, repository: URL, config: JSONValue, artifact: (URL) throws -> Void) throws -> (version: Int, folder: URL) {
        let modelFolder = repository.appendingPathComponent(name, isDirectory: true)
        try FileManager.default.createDirectory(at: modelFolder, withIntermediateDirectories: true)
        let version = (ModelRepository(root: repository).versionNumbers(of: name).last ?? 0) + 1
        let staging = modelFolder.appendingPathComponent(".staging-\(version)", isDirectory: true)
        try? FileManager.default.removeItem(at: staging)
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        try artifact(staging)
        try Data(config.jsonBytes).write(to: staging.appendingPathComponent("config.json"))
        let modelConfig = modelFolder.appendingPathComponent("config.json")
        if !FileManager.default.fileExists(atPath: modelConfig.path) {
            try FileManager.default.copyItem(at: staging.appendingPathComponent("config.json"), to: modelConfig)
        }
        let folder = modelFolder.appendingPathComponent(String(version), isDirectory: true)
        try FileManager.default.moveItem(at: staging, to: folder)
        return (version, folder)
    }

    static let notice: JSONValue = "DEMO MODEL — not for clinical use"

    static func rounded(_ value: Double) -> JSONValue { .number((value * 10_000).rounded() / 10_000) }
}
