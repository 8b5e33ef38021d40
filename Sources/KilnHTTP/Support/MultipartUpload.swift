import Foundation
import Hummingbird
import KilnCore
import MultipartKit

/// Streams a `multipart/form-data` body to disk: each file part becomes a file in `directory`,
/// small text parts are kept in memory. The total is capped; nothing is held whole in memory.
struct MultipartUpload {
    struct Result {
        /// Text parts by field name.
        var fields: [String: String] = [:]
        /// File parts: field name → (file name sent by the client, path written).
        var files: [String: (filename: String, path: URL)] = [:]
    }

    static func boundary(of request: Request) throws -> String {
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
    static func receive(
        _ request: Request, into directory: URL, fileNames: (String, String) throws -> String,
        maxBytes: Int, maxFieldBytes: Int, syncFiles: Bool = true
    ) async throws -> Result {
        let parser = MultipartParser(boundary: try boundary(of: request))
        let state = ParseState()
        parser.onHeader = { name, value in
            if name.lowercased() == "content-disposition" { state.disposition = value }
        }
        parser.onBody = { buffer in
            state.pending.append(contentsOf: buffer.readBytes(length: buffer.readableBytes) ?? [])
        }
        parser.onPartComplete = {
            state.completed.append((state.disposition, state.pending))
            state.disposition = ""
            state.pending = []
        }
        var result = Result()
        var total = 0
        var writers: [String: FileHandle] = [:]
        defer { writers.values.forEach { try? $0.close() } }

        // Parts are handled as the parser completes them; a file part's bytes are flushed to
        // disk after each chunk so memory holds at most one chunk of it.
        func drain() throws {
            for (disposition, bytes) in state.completed {
                try handle(disposition: disposition, bytes: bytes, complete: true)
            }
            state.completed = []
            if !state.disposition.isEmpty, !state.pending.isEmpty {
                try handle(disposition: state.disposition, bytes: state.pending, complete: false)
                state.pending = []
            }
        }

        func handle(disposition: String, bytes: [UInt8], complete: Bool) throws {
            let (field, filename) = Self.parse(disposition: disposition)
            guard let field else { throw KilnError.invalidArgument("a multipart part has no form field name") }
            if let filename {
                if writers[field] == nil {
                    let relative = try fileNames(field, filename)
                    let url = directory.appendingPathComponent(relative)
                    guard FileManager.default.createFile(atPath: url.path, contents: nil), let handle = FileHandle(forWritingAtPath: url.path) else {
                        throw KilnError(.internal, "cannot write \(relative)")
                    }
                    writers[field] = handle
                    result.files[field] = (filename, url)
                }
                try writers[field]!.write(contentsOf: bytes)
            } else {
                let existing = result.fields[field] ?? ""
                guard existing.utf8.count + bytes.count <= maxFieldBytes else {
                    throw KilnError(.payloadTooLarge, "form field '\(field)' exceeds \(maxFieldBytes) bytes")
                }
                result.fields[field] = existing + String(decoding: bytes, as: UTF8.self)
            }
        }

        for try await chunk in request.body {
            total += chunk.readableBytes
            guard total <= maxBytes else {
                throw KilnError(.payloadTooLarge, "upload exceeds the limit of \(maxBytes) bytes", details: ["limit_bytes": .int(maxBytes)])
            }
            do {
                try parser.execute(chunk)
            } catch let error as KilnError {
                throw error
            } catch {
                throw KilnError.invalidArgument("malformed multipart body")
            }
            try drain()
        }
        try drain()
        if syncFiles { for handle in writers.values { try handle.synchronize() } }
        return result
    }

    /// `form-data; name="artifact"; filename="model.pt"` → ("artifact", "model.pt").
    static func parse(disposition: String) -> (name: String?, filename: String?) {
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

    /// The parser's callbacks are synchronous and run on the calling task; this box collects
    /// what they report between calls.
    final class ParseState: @unchecked Sendable {
        var disposition = ""
        var pending: [UInt8] = []
        var completed: [(String, [UInt8])] = []
    }
}
