import Foundation
import KilnCore

/// Builds the document served at `/openapi.json`: the platform's native OpenAPI document with
/// the fragment of each installed app merged in, so that every surface keeps its description
/// next to the code that serves it.
///
/// A fragment is a JSON object holding only `paths`, `tags` and `components`; its `$ref`s may
/// point at components of the base document (the shared `Error` schema and error responses).
/// Nothing is overwritten: a key defined twice is an error, so two apps cannot silently shadow
/// each other's routes or schemas.
public enum OpenAPIMerge {
    /// The members a fragment may hold.
    static let fragmentMembers: Set<String> = ["paths", "tags", "components"]
    /// How errors name the base document.
    static let baseSource = "the base document"

    /// Merges app fragments into the base document: paths, tags and every components section are united; a path, schema or tag name defined twice is an error naming the key and both sources.
    ///
    /// - Parameters:
    ///   - base: the whole native document; every member other than `paths`, `tags` and
    ///     `components` (`openapi`, `info`, `servers`, `security`, ...) comes from it alone.
    ///   - fragments: each app's fragment, with the name that errors use for it.
    /// - Returns: the merged document as JSON with sorted keys, so the same inputs always give
    ///   the same bytes. Tags keep their order: the base's first, then each fragment's in turn.
    /// - Throws: `KilnError` (`invalid_argument`) for a path, tag or component defined twice,
    ///   for JSON that does not parse or has the wrong shape, and for a fragment holding other
    ///   members than `paths`, `tags` and `components`.
    public static func merge(base: String, fragments: [(source: String, json: String)]) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(JSONValue.object(try mergedObject(base: base, fragments: fragments)))
    }

    /// The merged document as a value, for a caller that adjusts it before writing it (the
    /// server sets the error-code enum); same rules and errors as `merge`.
    public static func mergedObject(base: String, fragments: [(source: String, json: String)]) throws -> [String: JSONValue] {
        var document = try parseObject(base, source: baseSource)

        var paths = try members(document["paths"], at: "paths", source: baseSource)
        var pathSources: [String: String] = [:]
        for path in paths.keys { pathSources[path] = baseSource }

        var tags: [JSONValue] = []
        var tagSources: [String: String] = [:]
        try addTags(document["tags"], source: baseSource, to: &tags, sources: &tagSources)

        var components: [String: [String: JSONValue]] = [:]
        var componentSources: [String: [String: String]] = [:]
        try addComponents(document["components"], source: baseSource, to: &components, sources: &componentSources)

        for fragment in fragments {
            let object = try parseObject(fragment.json, source: fragment.source)
            let extra = object.keys.filter { !fragmentMembers.contains($0) }.sorted()
            if !extra.isEmpty {
                throw KilnError.invalidArgument(
                    "OpenAPI fragment \(fragment.source) may hold only paths, tags and components, not \(extra.joined(separator: ", "))",
                    details: ["source": .string(fragment.source), "members": .array(extra.map(JSONValue.string))])
            }
            let fragmentPaths = try members(object["paths"], at: "paths", source: fragment.source)
            for path in fragmentPaths.keys.sorted() {
                if let previous = pathSources[path] {
                    throw duplicate("path \(path)", key: path, previous, fragment.source)
                }
                pathSources[path] = fragment.source
                paths[path] = fragmentPaths[path]
            }
            try addTags(object["tags"], source: fragment.source, to: &tags, sources: &tagSources)
            try addComponents(object["components"], source: fragment.source, to: &components, sources: &componentSources)
        }

        if document["paths"] != nil || !paths.isEmpty {
            document["paths"] = .object(paths)
        }
        if document["tags"] != nil || !tags.isEmpty {
            document["tags"] = .array(tags)
        }
        if document["components"] != nil || !components.isEmpty {
            document["components"] = .object(components.mapValues(JSONValue.object))
        }
        return document
    }

    // MARK: - Parts

    private static func parseObject(_ json: String, source: String) throws -> [String: JSONValue] {
        let value: JSONValue
        do {
            // Kiln's own reader: the documents are read at every start, and it is several times
            // faster than JSONDecoder into JSONValue.
            value = try JSONReader.value(Array(json.utf8))
        } catch {
            throw KilnError.invalidArgument("OpenAPI document of \(source) is not valid JSON: \(error)",
                                            details: ["source": .string(source)])
        }
        guard case .object(let object) = value else {
            throw KilnError.invalidArgument("OpenAPI document of \(source) is not a JSON object",
                                            details: ["source": .string(source)])
        }
        return object
    }

    /// The members of an optional object member (`paths`, `components`, a components section).
    private static func members(_ value: JSONValue?, at location: String, source: String) throws -> [String: JSONValue] {
        switch value {
        case nil: return [:]
        case .object(let object)?: return object
        default:
            throw KilnError.invalidArgument("OpenAPI \(location) of \(source) is not a JSON object",
                                            details: ["source": .string(source), "key": .string(location)])
        }
    }

    private static func addTags(_ value: JSONValue?, source: String, to tags: inout [JSONValue],
                                sources: inout [String: String]) throws {
        guard let value else { return }
        guard case .array(let entries) = value else {
            throw KilnError.invalidArgument("OpenAPI tags of \(source) is not a JSON array",
                                            details: ["source": .string(source), "key": "tags"])
        }
        for entry in entries {
            guard case .object(let tag) = entry, case .string(let name)? = tag["name"] else {
                throw KilnError.invalidArgument("OpenAPI tags of \(source) holds an entry without a name",
                                                details: ["source": .string(source), "key": "tags"])
            }
            if let previous = sources[name] {
                throw duplicate("tag \(name)", key: name, previous, source)
            }
            sources[name] = source
            tags.append(entry)
        }
    }

    private static func addComponents(_ value: JSONValue?, source: String, to components: inout [String: [String: JSONValue]],
                                      sources: inout [String: [String: String]]) throws {
        let sections = try members(value, at: "components", source: source)
        for section in sections.keys.sorted() {
            let entries = try members(sections[section], at: "components.\(section)", source: source)
            for name in entries.keys.sorted() {
                let key = "components.\(section).\(name)"
                if let previous = sources[section]?[name] {
                    throw duplicate(section == "schemas" ? "schema \(name) (\(key))" : key, key: key, previous, source)
                }
                sources[section, default: [:]][name] = source
                components[section, default: [:]][name] = entries[name]
            }
            // An empty section in the base is kept, as it was.
            if components[section] == nil { components[section] = [:] }
        }
    }

    private static func duplicate(_ what: String, key: String, _ first: String, _ second: String) -> KilnError {
        KilnError.invalidArgument(
            "OpenAPI \(what) is defined twice: by \(first) and by \(second)",
            details: ["key": .string(key), "sources": .array([.string(first), .string(second)])])
    }
}
