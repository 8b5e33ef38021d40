import AsyncHTTPClient
import Foundation
import KilnCore
import NIOCore
import NIOHTTP1

/// A client of an OpenAI-compatible `POST {base}/chat/completions` (OpenAI, vLLM, Ollama,
/// llama.cpp's server, …), for the narrative parts of reports. Kiln never needs an LLM: callers
/// fall back to templates when none is configured or a call fails.
public struct ChatCompletionsClient: Sendable {
    public let baseURL: String
    public let model: String
    private let apiKey: String?
    private let timeout: TimeAmount
    private let http: HTTPClient

    /// - Parameter http: the process's shared client (its connection pool outlives calls).
    public init(baseURL: String, model: String, apiKey: String?, timeoutSeconds: Double, http: HTTPClient = .shared) {
        self.baseURL = baseURL
        self.model = model
        self.apiKey = apiKey
        self.timeout = .milliseconds(Int64(timeoutSeconds * 1000))
        self.http = http
    }

    public struct Message: Codable, Sendable {
        public var role: String
        public var content: String

        public init(role: String, content: String) {
            self.role = role
            self.content = content
        }
    }

    private struct RequestBody: Encodable {
        var model: String
        var messages: [Message]
        var temperature: Double
    }

    private struct ResponseBody: Decodable {
        struct Choice: Decodable {
            var message: Message
        }
        var choices: [Choice]
    }

    /// The assistant's answer to `messages`. Throws `unavailable` when the endpoint cannot be
    /// reached or answers with an error or an unexpected shape.
    public func complete(_ messages: [Message], temperature: Double = 0.2) async throws -> String {
        var request = HTTPClientRequest(url: "\(baseURL)/chat/completions")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let apiKey { request.headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(RequestBody(model: model, messages: messages, temperature: temperature))))
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: timeout)
        } catch {
            throw KilnError(.unavailable, "the LLM endpoint \(baseURL) cannot be reached: \(error)")
        }
        let body = try await response.body.collect(upTo: 4 << 20)
        guard response.status == .ok else {
            throw KilnError(.unavailable, "the LLM endpoint answered \(response.status.code)")
        }
        guard let decoded = try? JSONDecoder().decode(ResponseBody.self, from: Data(body.readableBytesView)), let text = decoded.choices.first?.message.content else {
            throw KilnError(.unavailable, "the LLM endpoint's answer has no choices[0].message.content")
        }
        return text
    }
}
