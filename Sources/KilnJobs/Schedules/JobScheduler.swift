import Foundation
import KilnCore
import Logging
import ServiceLifecycle

/// Fires stored schedules: every `tick` it submits the job of each schedule that is due. A
/// firing is made once per period even with several workers or nodes: the job is submitted
/// with an idempotency key naming the period (a second submission returns the first job), and
/// the schedule moves on by compare-and-set. A crash between the two re-submits the same key.
public final class JobScheduler: Service, Sendable {
    /// How jobs of one kind are checked and submitted (retraining goes through its own service).
    public struct Target: Sendable {
        public var validate: @Sendable (_ parameters: String) async throws -> Void
        public var submit: @Sendable (_ schedule: JobSchedule, _ idempotencyKey: String) async throws -> JobRecord

        public init(validate: @escaping @Sendable (String) async throws -> Void,
                    submit: @escaping @Sendable (JobSchedule, String) async throws -> JobRecord) {
            self.validate = validate
            self.submit = submit
        }
    }

    /// A counter a count trigger watches, by subject (`reviews` → a model's review count).
    public typealias Counter = @Sendable (_ subject: String) async throws -> Int

    private let repository: any JobScheduleRepository
    private let jobs: JobService
    private let targets: [String: Target]
    private let counters: [String: Counter]
    private let tick: Duration
    private let logger: Logger

    public init(repository: any JobScheduleRepository, jobs: JobService, targets: [String: Target] = [:], counters: [String: Counter],
                tick: Duration = .seconds(1), logger: Logger) {
        self.repository = repository
        self.jobs = jobs
        self.targets = targets
        self.counters = counters
        self.tick = tick
        self.logger = logger
    }

    public var counterNames: [String] { counters.keys.sorted() }

    private func target(_ kind: String) -> Target {
        targets[kind] ?? Target(
            validate: { [jobs] parameters in try jobs.validate(kind: kind, parameters: parameters) },
            submit: { [jobs] schedule, key in
                try await jobs.submit(kind: schedule.kind, parameters: schedule.parameters, owner: schedule.owner, idempotencyKey: key).job
            })
    }

    // MARK: Managing

    public func create(name: String, kind: String, parameters: String, trigger: JobSchedule.Trigger, owner: String) async throws -> JobSchedule {
        guard !name.isEmpty, name.count <= 200 else { throw KilnError.invalidArgument("name must be 1–200 characters") }
        try await target(kind).validate(parameters)
        var schedule = JobSchedule(
            id: "sch_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20), name: name, kind: kind,
            parameters: parameters, trigger: trigger, paused: false, owner: owner, createdAt: Date(), nextFireAt: nil, counterBase: nil)
        try await arm(&schedule, now: Date())
        try await repository.insert(schedule)
        return schedule
    }

    /// Sets the next period: the cron's next minute, or the counter's current value.
    private func arm(_ schedule: inout JobSchedule, now: Date) async throws {
        switch schedule.trigger {
        case .cron(let expression):
            schedule.nextFireAt = try CronSchedule(parsing: expression).next(after: now)
            if schedule.nextFireAt == nil { throw KilnError.invalidArgument("cron '\(expression.prefix(64))' never fires") }
        case .count(let counter, let subject, let every):
            guard let read = counters[counter] else {
                throw KilnError.invalidArgument("unknown counter '\(counter.prefix(64))'; known: \(counterNames.joined(separator: ", "))")
            }
            guard (1...1_000_000).contains(every) else { throw KilnError.invalidArgument("the count must be 1…1000000") }
            schedule.counterBase = try await read(subject)
        }
    }

    public func list() async throws -> [JobSchedule] { try await repository.all() }

    public func find(id: String) async throws -> JobSchedule {
        guard let schedule = try await repository.find(id: id) else { throw KilnError.notFound("no schedule '\(id.prefix(64))'") }
        return schedule
    }

    /// Pauses, or resumes from now (a resumed schedule counts new events from the moment it resumes).
    public func setPaused(id: String, _ paused: Bool) async throws -> JobSchedule {
        var schedule = try await find(id: id)
        schedule.paused = paused
        if !paused { try await arm(&schedule, now: Date()) }
        try await repository.setPaused(id: id, paused: paused, nextFireAt: schedule.nextFireAt, counterBase: schedule.counterBase)
        return schedule
    }

    public func delete(id: String) async throws {
        guard try await repository.delete(id: id) else { throw KilnError.notFound("no schedule '\(id.prefix(64))'") }
    }

    // MARK: Firing

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            await self.jobs.startGate.wait()
            while !Task.isCancelled {
                await self.fireDue(now: Date())
                try? await Task.sleep(for: self.tick)
            }
        }
    }

    /// Submits the job of every due schedule; returns the jobs submitted.
    @discardableResult
    public func fireDue(now: Date) async -> [JobRecord] {
        var fired: [JobRecord] = []
        let schedules: [JobSchedule]
        do { schedules = try await repository.all() } catch {
            logger.error("reading schedules failed", metadata: ["error": "\(error)"])
            return []
        }
        for schedule in schedules where !schedule.paused {
            do {
                if let job = try await fireIfDue(schedule, now: now) { fired.append(job) }
            } catch {
                logger.warning("a schedule did not fire", metadata: ["schedule": "\(schedule.id)", "error": "\(error)"])
            }
        }
        return fired
    }

    private func fireIfDue(_ schedule: JobSchedule, now: Date) async throws -> JobRecord? {
        switch schedule.trigger {
        case .cron(let expression):
            guard let due = schedule.nextFireAt, due <= now else { return nil }
            let job = try await target(schedule.kind).submit(schedule, "schedule:\(schedule.id):\(Int(due.timeIntervalSince1970))")
            // Missed periods (the server was down) fire once, then the schedule moves past now.
            let next = try CronSchedule(parsing: expression).next(after: now)
            return try await repository.advance(id: schedule.id, fromFireAt: due, to: next, jobID: job.id, at: now) ? logged(job, schedule) : nil
        case .count(let counter, let subject, let every):
            guard let read = counters[counter], let base = schedule.counterBase else { return nil }
            let value = try await read(subject)
            guard value - base >= every else { return nil }
            let job = try await target(schedule.kind).submit(schedule, "schedule:\(schedule.id):\(base)")
            return try await repository.advance(id: schedule.id, fromBase: base, to: value, jobID: job.id, at: now) ? logged(job, schedule) : nil
        }
    }

    private func logged(_ job: JobRecord, _ schedule: JobSchedule) -> JobRecord {
        logger.info("schedule fired", metadata: ["schedule": "\(schedule.id)", "job_id": "\(job.id)", "kind": "\(schedule.kind)"])
        return job
    }
}
