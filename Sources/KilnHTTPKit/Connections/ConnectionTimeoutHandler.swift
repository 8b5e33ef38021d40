import HTTPTypes
import KilnCore
import NIOCore
import NIOHTTPTypes

/// Closes connections that stall once HTTP parts flow: a pause longer than the body timeout
/// inside a request body, or no next request head within the keep-alive timeout after a
/// response. A request being answered is never timed out — inference, SSE streams and
/// downloads take their time — and a slow upload that keeps moving is fine. The first
/// request's header timeout is `ConnectionGuardHandler`'s: Hummingbird adds this handler only
/// after that head has arrived (its header timer here covers a plain HTTP/1 pipeline).
///
/// After a WebSocket upgrade the handler is removed with the HTTP ones; the WebSocket's own
/// ping (`websocket_ping_interval`, 30 s; closed when unanswered) takes over.
public final class ConnectionTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPRequestPart
    public typealias InboundOut = HTTPRequestPart
    public typealias OutboundIn = HTTPResponsePart
    public typealias OutboundOut = HTTPResponsePart

    enum Stage {
        case awaitingHead
        case readingBody
        case answering
    }

    let header: TimeAmount
    let body: TimeAmount
    let keepAlive: TimeAmount
    var stage = Stage.awaitingHead
    /// Requests whose head arrived and whose response has not ended (HTTP/1.1 pipelining).
    var inFlight = 0
    var lastBodyPart = NIODeadline.now()
    var timer: Scheduled<Void>?

    public init(limits: ConnectionLimits) {
        header = Self.amount(limits.headerTimeoutSeconds)
        body = Self.amount(limits.bodyTimeoutSeconds)
        keepAlive = Self.amount(limits.keepAliveTimeoutSeconds)
    }

    static func amount(_ seconds: Double) -> TimeAmount { .nanoseconds(Int64(seconds * 1_000_000_000)) }

    public func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context, in: header) }
    }

    public func channelActive(context: ChannelHandlerContext) {
        arm(context, in: header)
        context.fireChannelActive()
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        disarm()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            inFlight += 1
            stage = .readingBody
            lastBodyPart = .now()
            arm(context, in: body)
        case .body:
            lastBodyPart = .now()
        case .end:
            stage = .answering
            disarm()
        }
        context.fireChannelRead(data)
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            inFlight = max(0, inFlight - 1)
            if inFlight == 0, case .answering = stage {
                stage = .awaitingHead
                arm(context, in: keepAlive)
            }
        }
        context.write(data, promise: promise)
    }

    func arm(_ context: ChannelHandlerContext, in amount: TimeAmount) {
        disarm()
        timer = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: amount) { self.fire(context) }
    }

    func disarm() {
        timer?.cancel()
        timer = nil
    }

    func fire(_ context: ChannelHandlerContext) {
        timer = nil
        switch stage {
        case .awaitingHead:
            context.close(promise: nil)
        case .readingBody:
            // Body parts only note the time; the deadline moves here, once per timeout.
            let due = lastBodyPart + body
            if NIODeadline.now() >= due {
                context.close(promise: nil)
            } else {
                arm(context, in: due - .now())
            }
        case .answering:
            break
        }
    }
}
