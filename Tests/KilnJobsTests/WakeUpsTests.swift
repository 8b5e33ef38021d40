import Foundation
@testable import KilnJobs
import Testing

/// Each test checks why a wait returned, never how long it took: CI's two cores are at times
/// held by other suites for half a minute (all three clock-bound tests once took 30.1 s), and
/// the timeouts here are long enough that only a lost wake-up ends in `.timedOut`.
@Suite struct WakeUpsTests {
    /// The race CI hit: the submission's wake-up arrives while the worker is between an empty
    /// claim and `wait`. The wake-up must not be lost.
    @Test func aWakeUpBeforeTheWaitIsKept() async {
        let wakeUps = WakeUps()
        wakeUps.wakeOne()
        #expect(await wakeUps.wait(timeout: .seconds(600)) == .woken)
    }

    @Test func aKeptWakeUpIsUsedOnce() async {
        let wakeUps = WakeUps()
        wakeUps.wakeOne()
        #expect(await wakeUps.wait(timeout: .seconds(600)) == .woken)
        #expect(await wakeUps.wait(timeout: .milliseconds(100)) == .timedOut)
    }

    @Test func aWaiterIsWokenWithoutItsTimeout() async {
        let wakeUps = WakeUps()
        async let waited = wakeUps.wait(timeout: .seconds(600))
        try? await Task.sleep(for: .milliseconds(50))
        wakeUps.wakeOne()
        #expect(await waited == .woken)
    }

    /// Shutdown reached a worker between an empty claim and `wait` (a JobService test once
    /// waited out its two-minute poll interval): a wait after `close` returns at once.
    @Test func aWaitAfterCloseReturnsAtOnce() async {
        let wakeUps = WakeUps()
        wakeUps.close()
        #expect(await wakeUps.wait(timeout: .seconds(600)) == .closed)
        #expect(await wakeUps.wait(timeout: .seconds(600)) == .closed)
    }

    @Test func aCancelledWaitReturnsAndLeavesNoWaiter() async {
        let wakeUps = WakeUps()
        let waiter = Task { await wakeUps.wait(timeout: .seconds(600)) }
        try? await Task.sleep(for: .milliseconds(50))
        waiter.cancel()
        #expect(await waiter.value == .cancelled)
        // The cancelled waiter is gone, so this wake-up is kept as a permit for the next wait.
        wakeUps.wakeOne()
        #expect(await wakeUps.wait(timeout: .seconds(600)) == .woken)
    }
}
