import Foundation
import Hummingbird
import KilnCore

/// Streams a `multipart/form-data` body to disk: each file part becomes a file in `directory`,
/// small text parts are kept in memory. The total is capped; nothing is held whole in memory.
public struct MultipartUpload {
    public struct Result {
        /// Text parts by field name.
        public var fields: [String: String] = [:]
        /// File parts: field name → (file name sent by the client, path written).
        public var files: [String: (filename: String, path: URL)] = [:]
    }

    public static func boundary(of request: Request) throws -> String {
        guard let contentType = request.headers[.contentType], let mediaType = MediaType(from: contentType),
              mediaType.isType(.multipartForm), let boundary = mediaType.parameter?.value, !boundary.isEmpty else {
            throw KilnError(.unsupportedMediaType, "the body must be multipart/form-data with a boundary")
        }
        return boundary.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
    }

    /// - Parameter fileNames: where each file field is written, relative to `directory`; other
    ///   file fields are refused.
    /// - Parameter syncFiles: fsync the files before returning; a caller that hands them to the
    ///   blob store (which syncs what it adopts) skips it.
    public static func receive(
        _ request: Request, into directory: URL, fileNames: (String, String) throws -> String,
        maxBytes: Int, maxFieldBytes: Int, syncFiles: Bool = true
    ) async throws -> Result {
        var parser: MultipartStreamParser
        do { parser = try MultipartStreamParser(boundary: try boundary(of: request)) } catch let error as MultipartSyntaxError {
            throw KilnError.invalidArgument("malformed multipart body: \(error.description)")
        }
        var result = Result()
        var total = 0
        var writers: [String: FileHandle] = [:]
        defer { writers.values.forEach { try? $0.close() } }
        // The part being received: its form field, and whether it is a file part.
        var current: (field: String, isFile: Bool)?

        // A file part's bytes go to disk as they arrive, so memory holds at most one chunk of it.
        func handle(_ event: MultipartStreamParser.Event) throws {
            switch event {
            case .headers(let headers):
                let disposition = headers.first { $0.name == "content-disposition" }?.value ?? ""
                let (field, filename) = Self.parse(disposition: disposition)
                guard let field else { throw KilnError.invalidArgument("a multipart part has no form field name") }
                current = (field, filename != nil)
                if let filename, writers[field] == nil {
                    let relative = try fileNames(field, filename)
                    let url = directory.appendingPathComponent(relative)
                    guard FileManager.default.createFile(atPath: url.path, contents: nil), let handle = FileHandle(forWritingAtPath: url.path) else {
                        throw KilnError(.internal, "cannot write \(relative)")
                    }
                    writers[field] = handle
                    result.files[field] = (filename, url)
                } else if filename == nil, result.fields[field] == nil {
                    result.fields[field] = ""
                }
            case .body(let bytes):
                guard let current else { return }
                if current.isFile {
                    try writers[current.field]!.write(contentsOf: bytes)
                } else {
                    let existing = result.fields[current.field] ?? ""
                    guard existing.utf8.count + bytes.count <= maxFieldBytes else {
                        throw KilnError(.payloadTooLarge, "form field '\(current.field)' exceeds \(maxFieldBytes) bytes")
                    }
                    result.fields[current.field] = existing + String(decoding: bytes, as: UTF8.self)
                }
            case .partEnd:
                current = nil
            }
        }

        do {
            for try await chunk in request.body {
                total += chunk.readableBytes
                guard total <= maxBytes else {
                    throw KilnError(.payloadTooLarge, "upload exceeds the limit of \(maxBytes) bytes", details: ["limit_bytes": .int(maxBytes)])
                }
                try parser.feed(chunk.readableBytesView, handle)
            }
            try parser.finish()
        } catch let error as MultipartSyntaxError {
            throw KilnError.invalidArgument("malformed multipart body: \(error.description)")
        }
        if syncFiles { for handle in writers.values { try handle.synchronize() } }
        return result
    }

    /// `form-data; name="artifact"; filename="model.pt"` → ("artifact", "model.pt").
    public static func parse(disposition: String) -> (name: String?, filename: String?) {
        var name: String?
        var filename: String?
        for part in disposition.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            let pieces = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pieces.count == 2 else { continue }
            let value = pieces[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            switch pieces[0].lowercased() {
            case "name": name = value
            case "filename": filename = value
            default: break
            }
        }
        return (name, filename)
    }
}
