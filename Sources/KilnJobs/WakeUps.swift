import Foundation
import Synchronization

/// Idle workers wait here; a submission wakes one, shutdown (`close`) wakes all. A wait can also be
/// cancelled (its timeout passed), whichever comes first, without leaking the waiter.
///
/// A wake-up that finds no waiter is kept as a permit, because the worker it was meant for may
/// be between "claim found nothing" and `wait`: dropping it would leave the job queued until
/// the next poll. A stale permit costs one empty claim.
final class WakeUps: Sendable {
    /// Why a wait returned. Tests check this rather than the clock: on a busy two-core machine
    /// other suites can hold the cooperative threads for half a minute, so elapsed time says
    /// nothing about whether a wake-up was kept.
    enum Outcome: Sendable, Equatable {
        case woken, closed, timedOut, cancelled
    }

    private struct State {
        var waiting: [UUID: CheckedContinuation<Outcome, Never>] = [:]
        var order: [UUID] = []
        var cancelledEarly: Set<UUID> = []
        var permits = 0
        /// Shutdown: every wait, now or later, returns at once.
        var closed = false
    }

    /// Bounds the permits so a burst of submissions with every worker busy cannot queue up
    /// thousands of empty claims for later.
    private static let maximumPermits = 64

    private let state = Mutex(State())

    /// Returns when woken, when `timeout` passes, or when the task is cancelled.
    @discardableResult
    func wait(timeout: Duration) async -> Outcome {
        await withTaskGroup(of: Outcome.self) { group in
            let id = UUID()
            group.addTask {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { continuation in
                        let immediate = self.state.withLock { state -> Outcome? in
                            if state.cancelledEarly.remove(id) != nil { return .cancelled }
                            if state.closed { return .closed }
                            if state.permits > 0 {
                                state.permits -= 1
                                return .woken
                            }
                            state.waiting[id] = continuation
                            state.order.append(id)
                            return nil
                        }
                        if let immediate { continuation.resume(returning: immediate) }
                    }
                } onCancel: {
                    self.cancel(id)
                }
            }
            group.addTask {
                do {
                    try await Task.sleep(for: timeout)
                    return .timedOut
                } catch {
                    return .cancelled
                }
            }
            let outcome = await group.next() ?? .cancelled
            group.cancelAll()
            return outcome
        }
    }

    private func cancel(_ id: UUID) {
        let continuation = state.withLock { state -> CheckedContinuation<Outcome, Never>? in
            guard let continuation = state.waiting.removeValue(forKey: id) else {
                state.cancelledEarly.insert(id)
                return nil
            }
            state.order.removeAll { $0 == id }
            return continuation
        }
        continuation?.resume(returning: .cancelled)
    }

    func wakeOne() {
        let continuation = state.withLock { state -> CheckedContinuation<Outcome, Never>? in
            guard !state.order.isEmpty else {
                state.permits = min(state.permits + 1, Self.maximumPermits)
                return nil
            }
            return state.waiting.removeValue(forKey: state.order.removeFirst())
        }
        continuation?.resume(returning: .woken)
    }

    /// Wakes every waiting worker and makes every later wait return at once: the workers are
    /// stopping, and one between an empty claim and `wait` must not sleep a whole poll interval.
    func close() {
        let continuations = state.withLock { state -> [CheckedContinuation<Outcome, Never>] in
            state.closed = true
            defer { state.waiting.removeAll(); state.order.removeAll() }
            return Array(state.waiting.values)
        }
        for continuation in continuations { continuation.resume(returning: .closed) }
    }
}
