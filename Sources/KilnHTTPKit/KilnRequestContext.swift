import Hummingbird
import HummingbirdAuth
import HummingbirdWebSocket
import KilnCore
import Synchronization

/// Per-request state: the authenticated caller and the request id every log line and error carries.
public struct KilnRequestContext: AuthRequestContext, RequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    public var identity: Principal?
    public var requestID: String
    /// The browser session the request came with, when its cookie authenticated it.
    public var session: BrowserSessionRecord?
    let webSocketSlot = WebSocketHandlerSlot()
    /// Set by routes that upgrade to WebSocket (`/ws/jobs/{id}`), read by the upgrade.
    public var webSocket: WebSocketHandlerReference<Self> { webSocketSlot.reference }

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.identity = nil
        self.requestID = ""
        self.session = nil
    }

    /// Drops the reference to the route's WebSocket handler once the upgrade has read it.
    /// hummingbird-websocket (2.8) stores the handler with a copy of this context inside the
    /// reference this context holds, a cycle nothing breaks: every upgraded connection would
    /// leave about 1 KB behind (measured: 40,577 connections grew the heap by 55 MiB). The
    /// running handler keeps its own copies.
    public func releaseWebSocketHandler() {
        webSocketSlot.release()
    }

    /// The caller; routes behind the authentication middleware always have one.
    public func principal() throws -> Principal {
        guard let identity else { throw KilnError(.unauthenticated, "authentication required") }
        return identity
    }
}

/// Where a context keeps its WebSocket handler reference: a class, so that every copy of the
/// context shares it and `release` reaches the copy inside the reference.
final class WebSocketHandlerSlot: Sendable {
    private let stored = Mutex<WebSocketHandlerReference<KilnRequestContext>?>(.init())

    var reference: WebSocketHandlerReference<KilnRequestContext> {
        stored.withLock { $0 } ?? .init()
    }

    func release() {
        stored.withLock { $0 = nil }
    }
}
