import Foundation
import KilnCore

/// A cron expression (`minute hour day-of-month month day-of-week`, UTC) or one of its names:
/// `hourly`, `daily`, `daily@HH:MM`, `weekly` (Monday 00:00), `weekly@mon` … `weekly@sun`,
/// `monthly`. Fields take `*`, numbers, ranges `a-b`, steps `*/n` or `a-b/n`, and lists; day of
/// week is 0–7 (0 and 7 are Sunday). As in cron, when both day fields are restricted a day
/// matching either one matches.
public struct CronSchedule: Sendable, Equatable {
    public let expression: String
    let minutes: Set<Int>, hours: Set<Int>, days: Set<Int>, months: Set<Int>, weekdays: Set<Int>
    let daysRestricted: Bool, weekdaysRestricted: Bool

    static let weekdayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    public init(parsing text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let expanded = try Self.expand(trimmed)
        let fields = expanded.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard fields.count == 5 else {
            throw KilnError.invalidArgument("cron must be 5 fields (minute hour day month weekday) or hourly, daily, daily@HH:MM, weekly, weekly@mon…sun, monthly; got '\(text.prefix(64))'")
        }
        expression = trimmed
        minutes = try Self.field(fields[0], 0...59, "minute")
        hours = try Self.field(fields[1], 0...23, "hour")
        days = try Self.field(fields[2], 1...31, "day of month")
        months = try Self.field(fields[3], 1...12, "month")
        weekdays = Set(try Self.field(fields[4], 0...7, "day of week").map { $0 % 7 })
        daysRestricted = fields[2] != "*"
        weekdaysRestricted = fields[4] != "*"
    }

    static func expand(_ text: String) throws -> String {
        switch text {
        case "hourly": return "0 * * * *"
        case "daily": return "0 0 * * *"
        case "weekly": return "0 0 * * 1"
        case "monthly": return "0 0 1 * *"
        default: break
        }
        if text.hasPrefix("daily@") {
            let time = text.dropFirst(6).split(separator: ":")
            guard time.count == 2, let hour = Int(time[0]), let minute = Int(time[1]), (0...23).contains(hour), (0...59).contains(minute) else {
                throw KilnError.invalidArgument("daily@HH:MM needs a time such as daily@03:00; got '\(text.prefix(64))'")
            }
            return "\(minute) \(hour) * * *"
        }
        if text.hasPrefix("weekly@") {
            guard let day = weekdayNames.firstIndex(of: String(text.dropFirst(7))) else {
                throw KilnError.invalidArgument("weekly@DAY takes mon, tue, wed, thu, fri, sat or sun; got '\(text.prefix(64))'")
            }
            return "0 0 * * \(day)"
        }
        return text
    }

    static func field(_ text: String, _ range: ClosedRange<Int>, _ name: String) throws -> Set<Int> {
        var values = Set<Int>()
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2 else { throw KilnError.invalidArgument("cron \(name) field '\(text.prefix(32))' is not valid") }
            let step = pieces.count == 2 ? Int(pieces[1]) : 1
            var span: ClosedRange<Int>?
            if pieces[0] == "*" {
                span = range
            } else if let dash = pieces[0].firstIndex(of: "-"), let low = Int(pieces[0][..<dash]), let high = Int(pieces[0][pieces[0].index(after: dash)...]), low <= high {
                span = low...high
            } else if let value = Int(pieces[0]) {
                span = value...(pieces.count == 2 ? range.upperBound : value)
            }
            guard let span, let step, step > 0, range.contains(span.lowerBound), range.contains(span.upperBound) else {
                throw KilnError.invalidArgument("cron \(name) field '\(text.prefix(32))' must use values \(range.lowerBound)–\(range.upperBound)")
            }
            values.formUnion(stride(from: span.lowerBound, through: span.upperBound, by: step))
        }
        return values
    }

    static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// The first matching minute strictly after `date`, or nil if none within five years
    /// (`0 0 30 2 *` never matches).
    public func next(after date: Date) -> Date? {
        let calendar = Self.calendar
        guard var time = calendar.date(bySetting: .second, value: 0, of: date).map({ $0 <= date ? $0.addingTimeInterval(60) : $0 }) else { return nil }
        let limit = date.addingTimeInterval(5 * 366 * 86_400)
        while time < limit {
            let c = calendar.dateComponents([.minute, .hour, .day, .month, .weekday], from: time)
            guard let minute = c.minute, let hour = c.hour, let day = c.day, let month = c.month, let weekday = c.weekday else { return nil }
            if !months.contains(month) {
                time = calendar.date(from: calendar.dateComponents([.year, .month], from: time)).flatMap { calendar.date(byAdding: .month, value: 1, to: $0) } ?? limit
            } else if !dayMatches(day: day, weekday: weekday - 1) {
                time = calendar.startOfDay(for: time).addingTimeInterval(86_400)
            } else if !hours.contains(hour) {
                time = calendar.date(from: calendar.dateComponents([.year, .month, .day, .hour], from: time))!.addingTimeInterval(3600)
            } else if !minutes.contains(minute) {
                time = time.addingTimeInterval(60)
            } else {
                return time
            }
        }
        return nil
    }

    func dayMatches(day: Int, weekday: Int) -> Bool {
        switch (daysRestricted, weekdaysRestricted) {
        case (true, true): return days.contains(day) || weekdays.contains(weekday)
        case (true, false): return days.contains(day)
        case (false, true): return weekdays.contains(weekday)
        case (false, false): return true
        }
    }
}
