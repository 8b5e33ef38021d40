import Hummingbird
import HummingbirdAuth
import HummingbirdWebSocket
import KilnCore

/// Per-request state: the authenticated caller and the request id every log line and error carries.
public struct KilnRequestContext: AuthRequestContext, RequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    public var identity: Principal?
    public var requestID: String
    /// Set by routes that upgrade to WebSocket (`/ws/jobs/{id}`).
    public let webSocket: WebSocketHandlerReference<Self>

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.webSocket = .init()
        self.identity = nil
        self.requestID = ""
    }

    /// The caller; routes behind the authentication middleware always have one.
    public func principal() throws -> Principal {
        guard let identity else { throw KilnError(.unauthenticated, "authentication required") }
        return identity
    }
}
