import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Answers `Expect: 100-continue` with an interim `100 Continue`, as RFC 9110 §10.1.1 asks of a
/// server that will read the body. Hummingbird does not, and clients that send the header hold
/// the body back until they hear from the server: curl does for every upload over 1 MiB and
/// waits a full second before sending anyway, so `curl -F file=@data.csv` to `/api/upload`
/// took 1.1 s instead of 0.1 s. Limits and auth still apply to the body as it streams.
public final class ExpectContinueHandler: ChannelInboundHandler, RemovableChannelHandler {
    public init() {}

    public typealias InboundIn = HTTPRequestPart
    public typealias InboundOut = HTTPRequestPart
    public typealias OutboundOut = HTTPResponsePart

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let request) = unwrapInboundIn(data),
           let expectation = request.headerFields[.expect], expectation.lowercased() == "100-continue" {
            context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
        }
        context.fireChannelRead(data)
    }
}
