import Foundation
import KilnCore
import SQLKit

/// Schedules in the `job_schedules` table.
public struct SQLJobScheduleRepository: JobScheduleRepository {
    private let db: any SQLDatabase

    public init(db: any SQLDatabase) {
        self.db = db
    }

    private struct Row: Codable {
        var id: String
        var name: String
        var kind: String
        var parameters: String
        var trigger: String
        var paused: Int
        var owner: String
        var created_at: Double
        var next_fire_at: Double?
        var counter_base: Int?
        var fired: Int
        var last_fired_at: Double?
        var last_job_id: String?
    }

    /// `{"cron": "…"}` or `{"counter": "reviews", "subject": "model", "every": 5}`.
    private struct TriggerColumn: Codable {
        var cron: String?
        var counter: String?
        var subject: String?
        var every: Int?
    }

    public func insert(_ schedule: JobSchedule) async throws {
        try await db.insert(into: "job_schedules").model(try Self.row(schedule)).run()
    }

    public func all() async throws -> [JobSchedule] {
        try await db.select().columns("*").from("job_schedules").orderBy("created_at").orderBy("id").all(decoding: Row.self).compactMap(Self.schedule)
    }

    public func find(id: String) async throws -> JobSchedule? {
        try await db.select().columns("*").from("job_schedules").where("id", .equal, id).first(decoding: Row.self).flatMap(Self.schedule)
    }

    public func setPaused(id: String, paused: Bool, nextFireAt: Date?, counterBase: Int?) async throws {
        try await db.update("job_schedules").set("paused", to: paused ? 1 : 0)
            .set("next_fire_at", to: SQLBind(nextFireAt?.timeIntervalSince1970)).set("counter_base", to: SQLBind(counterBase))
            .where("id", .equal, id).run()
    }

    public func delete(id: String) async throws -> Bool {
        guard try await find(id: id) != nil else { return false }
        try await db.delete(from: "job_schedules").where("id", .equal, id).run()
        return true
    }

    public func advance(id: String, fromFireAt: Date, to next: Date?, jobID: String, at: Date) async throws -> Bool {
        try await advance(id: id, column: "next_fire_at", from: fromFireAt.timeIntervalSince1970, to: SQLBind(next?.timeIntervalSince1970), jobID: jobID, at: at)
    }

    public func advance(id: String, fromBase: Int, to base: Int, jobID: String, at: Date) async throws -> Bool {
        try await advance(id: id, column: "counter_base", from: fromBase, to: SQLBind(base), jobID: jobID, at: at)
    }

    /// Compare-and-set: moves `column` from `old` to `new` and records the firing, only if
    /// `column` still holds `old` (RETURNING tells whether this caller's update matched).
    private func advance(id: String, column: String, from old: some Encodable & Sendable, to new: SQLBind, jobID: String, at: Date) async throws -> Bool {
        let rows = try await db.update("job_schedules")
            .set(column, to: new)
            .set(SQLIdentifier("fired"), to: SQLRaw("fired + 1"))
            .set("last_fired_at", to: at.timeIntervalSince1970).set("last_job_id", to: jobID)
            .where("id", .equal, id).where(column, .equal, old)
            .returning("id").all()
        return !rows.isEmpty
    }

    private static func row(_ schedule: JobSchedule) throws -> Row {
        let trigger: TriggerColumn
        switch schedule.trigger {
        case .cron(let expression): trigger = TriggerColumn(cron: expression)
        case .count(let counter, let subject, let every): trigger = TriggerColumn(counter: counter, subject: subject, every: every)
        }
        return Row(id: schedule.id, name: schedule.name, kind: schedule.kind, parameters: schedule.parameters,
                   trigger: String(decoding: try JSONEncoder().encode(trigger), as: UTF8.self), paused: schedule.paused ? 1 : 0,
                   owner: schedule.owner, created_at: schedule.createdAt.timeIntervalSince1970,
                   next_fire_at: schedule.nextFireAt?.timeIntervalSince1970, counter_base: schedule.counterBase, fired: schedule.fired,
                   last_fired_at: schedule.lastFiredAt?.timeIntervalSince1970, last_job_id: schedule.lastJobID)
    }

    private static func schedule(_ row: Row) -> JobSchedule? {
        guard let column = try? JSONDecoder().decode(TriggerColumn.self, from: Data(row.trigger.utf8)) else { return nil }
        let trigger: JobSchedule.Trigger
        if let cron = column.cron {
            trigger = .cron(cron)
        } else if let counter = column.counter, let subject = column.subject, let every = column.every {
            trigger = .count(counter: counter, subject: subject, every: every)
        } else {
            return nil
        }
        return JobSchedule(id: row.id, name: row.name, kind: row.kind, parameters: row.parameters, trigger: trigger, paused: row.paused != 0,
                           owner: row.owner, createdAt: Date(timeIntervalSince1970: row.created_at),
                           nextFireAt: row.next_fire_at.map(Date.init(timeIntervalSince1970:)), counterBase: row.counter_base, fired: row.fired,
                           lastFiredAt: row.last_fired_at.map(Date.init(timeIntervalSince1970:)), lastJobID: row.last_job_id)
    }
}
