import Foundation
import Synchronization

/// In-process publish/subscribe by key (a job id, a run id). Each subscriber has a bounded
/// buffer that drops the oldest events when full, so a slow reader never blocks the publisher;
/// publishing with `finishing` ends every subscriber's stream after that event.
public final class KeyedBroadcaster<Event: Sendable>: Sendable {
    private let subscribers = Mutex<[String: [UUID: AsyncStream<Event>.Continuation]]>([:])

    public init() {}

    public func subscribe(_ key: String, buffer: Int) -> AsyncStream<Event> {
        let (stream, continuation) = AsyncStream<Event>.makeStream(bufferingPolicy: .bufferingNewest(buffer))
        let token = UUID()
        subscribers.withLock { $0[key, default: [:]][token] = continuation }
        continuation.onTermination = { [weak self] _ in
            self?.subscribers.withLock { subscribers in
                subscribers[key]?.removeValue(forKey: token)
                if subscribers[key]?.isEmpty == true { subscribers.removeValue(forKey: key) }
            }
        }
        return stream
    }

    public func publish(_ event: Event, to key: String, finishing: Bool = false) {
        let targets = subscribers.withLock { $0[key].map { Array($0.values) } ?? [] }
        for continuation in targets {
            continuation.yield(event)
            if finishing { continuation.finish() }
        }
    }
}
