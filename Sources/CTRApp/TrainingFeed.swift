import Foundation
import KilnCore
import Synchronization

/// Live messages of CTR trainings (`epoch_update`, `log`, `training_complete`,
/// `training_failed`) for `WS /ws/training/{run_id}`. In process, per run; each subscriber has a
/// bounded buffer that drops the oldest messages, so a slow socket never holds training back.
/// The terminal message ends every subscriber's stream.
public final class TrainingFeed: Sendable {
    public static let terminalTypes: Set<String> = ["training_complete", "training_failed"]

    private let subscribers = Mutex<[String: [UUID: AsyncStream<JSONValue>.Continuation]]>([:])

    public init() {}

    /// Subscribe before reading the run's current state, so that nothing falls in between.
    public func subscribe(runID: String, buffer: Int = 256) -> AsyncStream<JSONValue> {
        let (stream, continuation) = AsyncStream<JSONValue>.makeStream(bufferingPolicy: .bufferingNewest(buffer))
        let token = UUID()
        subscribers.withLock { $0[runID, default: [:]][token] = continuation }
        continuation.onTermination = { [weak self] _ in
            self?.subscribers.withLock { subscribers in
                subscribers[runID]?.removeValue(forKey: token)
                if subscribers[runID]?.isEmpty == true { subscribers.removeValue(forKey: runID) }
            }
        }
        return stream
    }

    /// Sends `{"type": type, "run_id": runID, …fields}` to the run's subscribers.
    func publish(runID: String, type: String, _ fields: [String: JSONValue] = [:]) {
        var message = fields
        message["type"] = .string(type)
        message["run_id"] = .string(runID)
        let targets = subscribers.withLock { $0[runID].map { Array($0.values) } ?? [] }
        for continuation in targets {
            continuation.yield(.object(message))
            if Self.terminalTypes.contains(type) { continuation.finish() }
        }
    }
}
