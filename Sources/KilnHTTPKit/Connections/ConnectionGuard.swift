import KilnCore
import NIOCore
import Synchronization

/// Open connections in total and per client address, shared by every connection of a server.
public final class ConnectionCounter: Sendable {
    struct Counts {
        var total = 0
        var perAddress: [String: Int] = [:]
    }

    let limits: ConnectionLimits
    let counts = Mutex(Counts())

    public init(limits: ConnectionLimits) {
        self.limits = limits
    }

    /// Counts a new connection from `address`, or returns false when a limit is reached.
    func open(_ address: String) -> Bool {
        counts.withLock { counts in
            guard counts.total < limits.maxConnections, counts.perAddress[address, default: 0] < limits.maxConnectionsPerAddress else {
                return false
            }
            counts.total += 1
            counts.perAddress[address, default: 0] += 1
            return true
        }
    }

    func close(_ address: String) {
        counts.withLock { counts in
            counts.total -= 1
            let left = counts.perAddress[address, default: 1] - 1
            counts.perAddress[address] = left > 0 ? left : nil
        }
    }

    public var openConnections: Int { counts.withLock { $0.total } }
}

/// The first handler of every connection, in front of the HTTP decoder, because Hummingbird's
/// HTTP handlers (and `ConnectionTimeoutHandler`) are only added once the first request's head
/// has been read (the WebSocket upgrade decides on it). It
/// - counts the connection from accept to close, also after a WebSocket upgrade, and answers a
///   connection over `max_connections` or `max_connections_per_address` with `503` and
///   `Retry-After` (once its first bytes arrive, so the client reads an answer rather than a
///   reset) and closes it;
/// - closes a connection whose first request's headers have not ended (`\r\n\r\n`) within the
///   header timeout — clients that connect and never finish their headers. Later stages are
///   `ConnectionTimeoutHandler`'s.
public final class ConnectionGuardHandler: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    let counter: ConnectionCounter
    let headerTimeout: TimeAmount
    var registered = false
    var refused = false
    var answeredRefusal = false
    var headersEnded = false
    /// The last bytes of the previous read, so that `\r\n\r\n` split across reads is found.
    var tail: [UInt8] = []
    var timer: Scheduled<Void>?

    public init(counter: ConnectionCounter, limits: ConnectionLimits) {
        self.counter = counter
        headerTimeout = .nanoseconds(Int64(limits.headerTimeoutSeconds * 1_000_000_000))
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { register(context) }
    }

    public func channelActive(context: ChannelHandlerContext) {
        register(context)
        context.fireChannelActive()
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func register(_ context: ChannelHandlerContext) {
        guard !registered else { return }
        registered = true
        timer = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: headerTimeout) {
            self.timer = nil
            if !self.headersEnded { context.close(promise: nil) }
        }
        let address = context.channel.remoteAddress?.ipAddress ?? "unknown"
        guard counter.open(address) else {
            refused = true
            return
        }
        let counter = self.counter
        context.channel.closeFuture.whenComplete { _ in counter.close(address) }
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if refused {
            refuse(context)
            return
        }
        if !headersEnded {
            let seen = tail + unwrapInboundIn(data).readableBytesView
            if Self.containsHeaderEnd(seen) {
                headersEnded = true
                timer?.cancel()
                timer = nil
            }
            tail = Array(seen.suffix(3))
        }
        context.fireChannelRead(data)
    }

    static func containsHeaderEnd<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
        var run = 0
        for byte in bytes {
            switch (run, byte) {
            case (0, 13), (2, 13): run += 1
            case (1, 10), (3, 10): run += 1
            case (_, 13): run = 1
            default: run = 0
            }
            if run == 4 { return true }
        }
        return false
    }

    func refuse(_ context: ChannelHandlerContext) {
        guard context.channel.isActive, !answeredRefusal else { return }
        answeredRefusal = true
        let body = #"{"error":{"code":"unavailable","message":"too many open connections; retry shortly"}}"#
        let answer = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
            + "Retry-After: 1\r\nConnection: close\r\n\r\n" + body
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: answer))).assumeIsolated()
            .whenComplete { _ in context.close(promise: nil) }
    }
}
