import Foundation

/// A stored rule that submits a job: on a cron schedule, or each time a counter (such as a
/// model's review count) has grown by `every` since the last firing.
public struct JobSchedule: Sendable, Equatable {
    public enum Trigger: Sendable, Equatable {
        /// A `CronSchedule` expression or name.
        case cron(String)
        /// Fires when `counter(subject)` has grown by `every` (e.g. reviews of a model).
        case count(counter: String, subject: String, every: Int)
    }

    public var id: String
    public var name: String
    public var kind: String
    /// The job's parameters as JSON.
    public var parameters: String
    public var trigger: Trigger
    public var paused: Bool
    public var owner: String
    public var createdAt: Date
    /// Cron: the period that fires next.
    public var nextFireAt: Date?
    /// Count: the counter's value at the last firing (at creation: its value then).
    public var counterBase: Int?
    public var fired: Int
    public var lastFiredAt: Date?
    public var lastJobID: String?

    public init(id: String, name: String, kind: String, parameters: String, trigger: Trigger, paused: Bool, owner: String,
                createdAt: Date, nextFireAt: Date?, counterBase: Int?, fired: Int = 0, lastFiredAt: Date? = nil, lastJobID: String? = nil) {
        self.id = id
        self.name = name
        self.kind = kind
        self.parameters = parameters
        self.trigger = trigger
        self.paused = paused
        self.owner = owner
        self.createdAt = createdAt
        self.nextFireAt = nextFireAt
        self.counterBase = counterBase
        self.fired = fired
        self.lastFiredAt = lastFiredAt
        self.lastJobID = lastJobID
    }
}

/// The stored schedules. The `advance` calls are compare-and-set: of several workers or
/// nodes that saw the same due period, exactly one moves the schedule on.
public protocol JobScheduleRepository: Sendable {
    func insert(_ schedule: JobSchedule) async throws
    func all() async throws -> [JobSchedule]
    func find(id: String) async throws -> JobSchedule?
    func setPaused(id: String, paused: Bool, nextFireAt: Date?, counterBase: Int?) async throws
    func delete(id: String) async throws -> Bool
    /// Moves a cron schedule from the period `from` to `to`; false if another worker did.
    func advance(id: String, fromFireAt: Date, to next: Date?, jobID: String, at: Date) async throws -> Bool
    /// Moves a count schedule's base from `from` to `to`; false if another worker did.
    func advance(id: String, fromBase: Int, to base: Int, jobID: String, at: Date) async throws -> Bool
}
