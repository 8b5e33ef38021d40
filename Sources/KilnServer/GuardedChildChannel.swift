import HummingbirdCore
import KilnCore
import KilnHTTPKit
import Logging
import NIOCore

/// Hummingbird's child channel with `ConnectionGuardHandler` first in the pipeline, so that the
/// connection limits and the first request's header timeout apply from accept, before the
/// HTTP/WebSocket-upgrade handlers exist.
struct GuardedChildChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value

    let base: Base
    let counter: ConnectionCounter
    let limits: ConnectionLimits

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        do {
            try channel.pipeline.syncOperations.addHandler(ConnectionGuardHandler(counter: counter, limits: limits))
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return base.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}
