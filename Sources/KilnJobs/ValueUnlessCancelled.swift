import Synchronization

/// `task`'s value, or nil as soon as the awaiting task is cancelled; the task itself goes on.
///
/// A job's handler can sit in compute nothing can interrupt (a forward pass over a volume):
/// awaiting `task.value` would hold a shutting-down worker until that compute ends.
func valueUnlessCancelled<Value: Sendable>(_ task: Task<Value, Never>) async -> Value? {
    let waiter = OnceResumed<Value?>()
    return await withTaskCancellationHandler {
        await withCheckedContinuation { continuation in
            waiter.set(continuation)
            Task { waiter.resume(await task.value) }
        }
    } onCancel: {
        waiter.resume(nil)
    }
}

/// A continuation resumed by whichever of several callers comes first, even one that comes
/// before the continuation is set.
private final class OnceResumed<Value: Sendable>: Sendable {
    private enum State {
        case empty
        case waiting(CheckedContinuation<Value, Never>)
        case resumedEarly(Value)
        case done
    }

    private let state = Mutex(State.empty)

    func set(_ continuation: CheckedContinuation<Value, Never>) {
        // Generic, so an optional `Value` nests: nil here means "not resumed yet".
        let early = state.withLock { state -> Value? in
            guard case .resumedEarly(let value) = state else {
                state = .waiting(continuation)
                return nil
            }
            state = .done
            return value
        }
        if let early { continuation.resume(returning: early) }
    }

    func resume(_ value: Value) {
        let waiting = state.withLock { state -> CheckedContinuation<Value, Never>? in
            switch state {
            case .empty:
                state = .resumedEarly(value)
                return nil
            case .waiting(let continuation):
                state = .done
                return continuation
            case .resumedEarly, .done:
                return nil
            }
        }
        waiting?.resume(returning: value)
    }
}
