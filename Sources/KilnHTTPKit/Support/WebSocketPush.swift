import Hummingbird
import HummingbirdWebSocket

/// Server-push WebSockets (job events, training progress, live monitoring): `send` writes
/// while what the client sends is read and dropped.
///
/// The reading is not optional. swift-websocket processes pongs and close frames only as the
/// inbound stream is iterated, so a handler that only writes has every healthy client closed
/// with "Ping timeout" two ping intervals after it connected, and never notices a client that
/// closed. Whichever side ends first ends the other: the client closing stops `send`; `send`
/// returning (a terminal message) closes the socket.
public enum WebSocketPush {
    public static func run(
        inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter,
        _ send: @escaping @Sendable (WebSocketOutboundWriter) async throws -> Void
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { for try await _ in inbound {} }
            group.addTask { try await send(outbound) }
            try await group.next()
            group.cancelAll()
        }
    }
}

extension RouterMethods where Context == KilnRequestContext {
    /// A server-push WebSocket route: `shouldUpgrade` refuses with an HTTP error before the
    /// upgrade (404 for what the caller may not see); `send` writes until it returns.
    @discardableResult
    public func webSocketPush(
        _ path: RouterPath,
        shouldUpgrade: @escaping @Sendable (Request, Context) async throws -> Void,
        send: @escaping @Sendable (WebSocketOutboundWriter, WebSocketRouterContext<Context>) async throws -> Void
    ) -> Self {
        ws(path, shouldUpgrade: { request, context in
            try await shouldUpgrade(request, context)
            return .upgrade([:])
        }, onUpgrade: { inbound, outbound, context in
            context.requestContext.releaseWebSocketHandler()
            try await WebSocketPush.run(inbound: inbound, outbound: outbound) { outbound in
                try await send(outbound, context)
            }
        })
    }
}
