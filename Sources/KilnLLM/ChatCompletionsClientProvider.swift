import KilnCore

/// The configured LLM client, if any: built once by the composition root and handed to every
/// app in the platform value (no client means the apps fall back to templates).
public struct ChatCompletionsClientProvider: Sendable {
    public let client: ChatCompletionsClient?

    public init(settings: LLMSettings) {
        if let base = settings.baseURL {
            client = ChatCompletionsClient(baseURL: base, model: settings.model ?? "default", apiKey: settings.apiKey, timeoutSeconds: settings.timeoutSeconds)
        } else {
            client = nil
        }
    }
}
