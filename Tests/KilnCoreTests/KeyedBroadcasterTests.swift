import KilnCore
import Testing

@Suite struct KeyedBroadcasterTests {
    /// A follower of something already finished subscribes, reads nothing and goes: released, it
    /// must not stay registered (it did, for every WebSocket or SSE follower of a finished job).
    @Test func aSubscriptionReleasedUnreadUnsubscribes() {
        let broadcaster = KeyedBroadcaster<Int>()
        do {
            let subscription = broadcaster.subscribe("job-1", buffer: 4)
            #expect(broadcaster.subscriberCount == 1)
            _ = subscription
        }
        #expect(broadcaster.subscriberCount == 0)
    }

    @Test func aReaderKeepsItsSubscriptionUntilTheTerminalEvent() async {
        let broadcaster = KeyedBroadcaster<Int>()
        let reader = Task {
            var seen: [Int] = []
            // No reference to the subscription but the loop's own.
            for await value in broadcaster.subscribe("run", buffer: 8) { seen.append(value) }
            return seen
        }
        while broadcaster.subscriberCount == 0 { await Task.yield() }
        broadcaster.publish(1, to: "run")
        broadcaster.publish(2, to: "other")
        broadcaster.publish(3, to: "run", finishing: true)
        #expect(await reader.value == [1, 3])
        #expect(broadcaster.subscriberCount == 0)
    }
}
