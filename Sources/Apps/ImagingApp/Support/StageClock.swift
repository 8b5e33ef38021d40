import KilnCore

/// Wall time per named stage, for `processing_time_ms`.
struct StageClock {
    private var last = ContinuousClock.now
    private let start = ContinuousClock.now
    private var stages: [(String, Double)] = []

    mutating func lap(_ name: String) {
        let now = ContinuousClock.now
        stages.append((name, (now - last).millisecondsValue))
        last = now
    }

    /// Each stage's milliseconds, rounded to 0.01.
    var milliseconds: [String: Double] {
        Dictionary(uniqueKeysWithValues: stages.map { ($0.0, ($0.1 * 100).rounded() / 100) })
    }

    /// The stages and their `total`.
    var json: JSONValue {
        var object = milliseconds.mapValues(JSONValue.number)
        object["total"] = .number(((ContinuousClock.now - start).millisecondsValue * 100).rounded() / 100)
        return .object(object)
    }
}
