import Foundation
import KilnCore

/// One change of a job, as streamed to subscribers (SSE and WebSocket).
public struct JobEvent: Sendable, Encodable {
    public enum Kind: String, Sendable, Encodable {
        case state, progress, log, result
    }

    public var type: Kind
    public var jobID: String
    public var state: JobState?
    public var progress: Double?
    public var message: String?
    public var errorCode: String?
    public var result: JSONValue?

    enum CodingKeys: String, CodingKey {
        case type, state, progress, message, result
        case jobID = "job_id"
        case errorCode = "error_code"
    }

    public var isTerminal: Bool { (type == .state || type == .result) && (state?.isTerminal ?? false) }

    public static func snapshot(_ job: JobRecord) -> JobEvent {
        JobEvent(type: job.state.isTerminal ? .result : .state, jobID: job.id, state: job.state, progress: job.progress,
                 message: job.errorMessage ?? job.progressMessage, errorCode: job.errorCode,
                 result: job.result.flatMap { try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) })
    }
}

/// In-process publish/subscribe of job events. Each subscriber has a bounded buffer that drops
/// the oldest events when it is full, so a slow reader never blocks a worker; the terminal event
/// is the last one published and so is always kept, and it ends the stream.
public final class JobEventBus: Sendable {
    private let broadcaster = KeyedBroadcaster<JobEvent>()
    private let bufferSize: Int

    public init(bufferSize: Int = 64) {
        self.bufferSize = bufferSize
    }

    /// Subscribe before reading the job's current state, so that no change falls in between.
    public func subscribe(jobID: String) -> KeyedSubscription<JobEvent> {
        broadcaster.subscribe(jobID, buffer: bufferSize)
    }

    public func publish(_ event: JobEvent) {
        broadcaster.publish(event, to: event.jobID, finishing: event.isTerminal)
    }
}
