import Foundation
import Testing
@testable import KilnJobs

@Suite struct CronScheduleTests {
    static func date(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    @Test func namedSchedulesFireAtTheirNextMinute() throws {
        let after = Self.date("2026-12-03T10:17:30Z")  // a Thursday
        #expect(try CronSchedule(parsing: "hourly").next(after: after) == Self.date("2026-12-03T11:00:00Z"))
        #expect(try CronSchedule(parsing: "daily@03:00").next(after: after) == Self.date("2026-12-04T03:00:00Z"))
        #expect(try CronSchedule(parsing: "weekly").next(after: after) == Self.date("2026-12-07T00:00:00Z"))
        #expect(try CronSchedule(parsing: "weekly@sat").next(after: after) == Self.date("2026-12-05T00:00:00Z"))
        #expect(try CronSchedule(parsing: "monthly").next(after: after) == Self.date("2027-01-01T00:00:00Z"))
    }

    @Test func cronFieldsTakeStepsRangesListsAndEitherDayField() throws {
        let after = Self.date("2026-12-03T10:17:00Z")
        #expect(try CronSchedule(parsing: "*/15 * * * *").next(after: after) == Self.date("2026-12-03T10:30:00Z"))
        #expect(try CronSchedule(parsing: "0 9-17/4 * * *").next(after: after) == Self.date("2026-12-03T13:00:00Z"))
        #expect(try CronSchedule(parsing: "5,45 10 * * *").next(after: after) == Self.date("2026-12-03T10:45:00Z"))
        // Both day fields restricted: the 1st of the month or any Sunday (7 = 0).
        #expect(try CronSchedule(parsing: "0 0 1 * 7").next(after: after) == Self.date("2026-12-06T00:00:00Z"))
        // Strictly after: a matching minute is not its own next.
        #expect(try CronSchedule(parsing: "17 10 * * *").next(after: after) == Self.date("2026-12-04T10:17:00Z"))
        #expect(try CronSchedule(parsing: "0 0 30 2 *").next(after: after) == nil)
    }

    @Test func badExpressionsAreRefused() {
        for text in ["", "* * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *", "* * * * 8", "*/0 * * * *", "5-1 * * * *",
                     "daily@3", "daily@24:00", "weekly@someday", "a b c d e"] {
            #expect(throws: (any Error).self, "\(text)") { try CronSchedule(parsing: text) }
        }
    }
}
