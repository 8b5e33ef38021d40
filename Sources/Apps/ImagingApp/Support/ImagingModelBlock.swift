import KilnCore
import KilnServing

/// The `model` block of every imaging answer: which version answered, and whether it is a demo
/// (then with its notice, from `metadata.notice`).
public struct ImagingModelBlock: Codable, Sendable {
    public var name: String
    public var version: Int
    public var demo: Bool
    public var notice: String?

    init(_ loaded: LoadedVersion) {
        let metadata = loaded.config.metadata ?? [:]
        name = loaded.name
        version = loaded.version
        demo = metadata["demo"] == .bool(true)
        if demo { if case .string(let text)? = metadata["notice"] { notice = text } else { notice = "DEMO MODEL — not for clinical use" } }
    }

    static func json(_ loaded: LoadedVersion) -> JSONValue {
        let block = ImagingModelBlock(loaded)
        var object: [String: JSONValue] = ["name": .string(block.name), "version": .int(block.version), "demo": .bool(block.demo)]
        if let notice = block.notice { object["notice"] = .string(notice) }
        return .object(object)
    }
}
