import Foundation
@testable import KilnJobs
import Testing

/// The timeouts are a minute and the bound half of it: a lost wake-up shows as a full minute,
/// while a busy test machine (other suites hold the cooperative threads for seconds) does not
/// make the test fail.
@Suite struct WakeUpsTests {
    /// The race CI hit: the submission's wake-up arrives while the worker is between an empty
    /// claim and `wait`. The wake-up must not be lost.
    @Test func aWakeUpBeforeTheWaitIsKept() async {
        let wakeUps = WakeUps()
        wakeUps.wakeOne()
        let started = ContinuousClock.now
        await wakeUps.wait(timeout: .seconds(60))
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    @Test func aKeptWakeUpIsUsedOnce() async {
        let wakeUps = WakeUps()
        wakeUps.wakeOne()
        await wakeUps.wait(timeout: .seconds(60))
        let started = ContinuousClock.now
        await wakeUps.wait(timeout: .milliseconds(300))
        #expect(ContinuousClock.now - started >= .milliseconds(250))
    }

    @Test func aWaiterIsWokenWithoutItsTimeout() async {
        let wakeUps = WakeUps()
        let started = ContinuousClock.now
        async let waited: Void = wakeUps.wait(timeout: .seconds(60))
        try? await Task.sleep(for: .milliseconds(50))
        wakeUps.wakeOne()
        await waited
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    /// Shutdown reached a worker between an empty claim and `wait` (a JobService test once
    /// waited out its two-minute poll interval): a wait after `close` returns at once.
    @Test func aWaitAfterCloseReturnsAtOnce() async {
        let wakeUps = WakeUps()
        wakeUps.close()
        let started = ContinuousClock.now
        await wakeUps.wait(timeout: .seconds(60))
        await wakeUps.wait(timeout: .seconds(60))
        #expect(ContinuousClock.now - started < .seconds(30))
    }
}
