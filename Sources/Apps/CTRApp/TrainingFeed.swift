import Foundation
import KilnCore

/// Live messages of CTR trainings (`epoch_update`, `log`, `training_complete`,
/// `training_failed`) for `WS /ws/training/{run_id}`. In process, per run; each subscriber has a
/// bounded buffer that drops the oldest messages, so a slow socket never holds training back.
/// The terminal message ends every subscriber's stream.
public final class TrainingFeed: Sendable {
    public static let terminalTypes: Set<String> = ["training_complete", "training_failed"]

    private let broadcaster = KeyedBroadcaster<JSONValue>()

    public init() {}

    /// Subscribe before reading the run's current state, so that nothing falls in between.
    public func subscribe(runID: String, buffer: Int = 256) -> KeyedSubscription<JSONValue> {
        broadcaster.subscribe(runID, buffer: buffer)
    }

    /// Sends `{"type": type, "run_id": runID, …fields}` to the run's subscribers.
    func publish(runID: String, type: String, _ fields: [String: JSONValue] = [:]) {
        var message = fields
        message["type"] = .string(type)
        message["run_id"] = .string(runID)
        broadcaster.publish(.object(message), to: runID, finishing: Self.terminalTypes.contains(type))
    }
}
