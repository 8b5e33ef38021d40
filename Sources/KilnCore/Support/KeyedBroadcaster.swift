import Foundation
import Synchronization

/// In-process publish/subscribe by key (a job id, a run id). Each subscriber has a bounded
/// buffer that drops the oldest events when full, so a slow reader never blocks the publisher;
/// publishing with `finishing` ends every subscriber's stream after that event.
public final class KeyedBroadcaster<Event: Sendable>: Sendable {
    private let subscribers = Mutex<[String: [UUID: AsyncStream<Event>.Continuation]]>([:])

    public init() {}

    public func subscribe(_ key: String, buffer: Int) -> KeyedSubscription<Event> {
        let (stream, continuation) = AsyncStream<Event>.makeStream(bufferingPolicy: .bufferingNewest(buffer))
        let token = UUID()
        subscribers.withLock { $0[key, default: [:]][token] = continuation }
        continuation.onTermination = { [weak self] _ in
            self?.subscribers.withLock { subscribers in
                subscribers[key]?.removeValue(forKey: token)
                if subscribers[key]?.isEmpty == true { subscribers.removeValue(forKey: key) }
            }
        }
        // Finishing runs onTermination, which removes the subscriber.
        return KeyedSubscription(stream: stream, unsubscribe: { continuation.finish() })
    }

    /// Subscribers registered now, over every key.
    public var subscriberCount: Int { subscribers.withLock { $0.values.reduce(0) { $0 + $1.count } } }

    public func publish(_ event: Event, to key: String, finishing: Bool = false) {
        let targets = subscribers.withLock { $0[key].map { Array($0.values) } ?? [] }
        for continuation in targets {
            continuation.yield(event)
            if finishing { continuation.finish() }
        }
    }
}

/// One subscriber's events. Releasing it unsubscribes, however its reader stopped: after the
/// terminal event, when the client went away, or without reading at all because the job had
/// finished before it subscribed. Handing out the bare stream left such a subscriber (one that
/// never saw a terminal event) registered for good.
public final class KeyedSubscription<Event: Sendable>: AsyncSequence, Sendable {
    public typealias Element = Event

    private let stream: AsyncStream<Event>
    private let unsubscribe: @Sendable () -> Void

    init(stream: AsyncStream<Event>, unsubscribe: @escaping @Sendable () -> Void) {
        self.stream = stream
        self.unsubscribe = unsubscribe
    }

    deinit { unsubscribe() }

    public func makeAsyncIterator() -> Iterator { Iterator(base: stream.makeAsyncIterator(), subscription: self) }

    public struct Iterator: AsyncIteratorProtocol {
        var base: AsyncStream<Event>.Iterator
        /// Keeps the subscription while it is read: a caller's own reference may end earlier.
        let subscription: KeyedSubscription

        public mutating func next() async -> Event? { await base.next() }
    }
}
