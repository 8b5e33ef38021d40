import CTRApp
import Foundation
import KilnCore

/// Synthetic ad-impression data with a known answer, for demos, tests and benchmarks
/// (`kiln datagen ctr`).
///
/// Ground truth — clicks are drawn from a logistic model of five drivers and nothing else:
///
///     logit = b0 + 1.2·[18 ≤ hour ≤ 22] + 0.8·[device = 0 (mobile)] + 1.4·[ad_position = 1]
///                + 0.6·[ad_position = 2] + 0.5·[age_group = 2] − 0.6·[age_group = 6]
///                + 0.9·[device = 0 ∧ 18 ≤ hour ≤ 22]        (the interaction)
///
/// with b0 = −5.8, which gives a click rate of about 2%. Every other column (`f_005` …) is
/// noise independent of the click: Gaussian, uniform integers and skewed (log-normal)
/// values in turn. Rows are reproducible from the seed.
public struct CTRDataGenerator: Sendable {
    public static let drivers = ["hour", "age_group", "device", "ad_position"]
    static let intercept = -5.8
    /// Korean descriptions, as the seed's `feature_name_mapping.csv` gives them.
    static let descriptions = ["hour": "시간대", "age_group": "연령대", "device": "기기 유형", "ad_position": "광고 위치"]

    public var rows: Int
    /// All columns, `clicked` included (at least 5: the four drivers and the label).
    public var columns: Int
    public var seed: UInt64

    public init(rows: Int, columns: Int, seed: UInt64) throws {
        guard rows >= 1 else { throw KilnError.invalidArgument("rows must be at least 1") }
        guard columns >= Self.drivers.count + 1 else { throw KilnError.invalidArgument("columns must be at least \(Self.drivers.count + 1)") }
        self.rows = rows
        self.columns = columns
        self.seed = seed
    }

    public var featureNames: [String] {
        Self.drivers + (Self.drivers.count..<(columns - 1)).map { String(format: "f_%03d", $0 + 1) }
    }

    static func clickProbability(hour: Int, ageGroup: Int, device: Int, position: Int) -> Double {
        let evening = (18...22).contains(hour)
        var logit = intercept
        if evening { logit += 1.2 }
        if device == 0 { logit += 0.8 }
        if position == 1 { logit += 1.4 } else if position == 2 { logit += 0.6 }
        if ageGroup == 2 { logit += 0.5 } else if ageGroup == 6 { logit -= 0.6 }
        if device == 0, evening { logit += 0.9 }
        return 1 / (1 + exp(-logit))
    }

    /// Writes the CSV (header first) in chunks to `write`.
    public func generate(_ write: ([UInt8]) throws -> Void) throws {
        var generator = SeededGenerator(state: seed)
        var line = Array((featureNames + ["clicked"]).joined(separator: ",").utf8) + [UInt8(ascii: "\n")]
        var chunk = line
        chunk.reserveCapacity(1 << 20)
        for _ in 0..<rows {
            line.removeAll(keepingCapacity: true)
            let hour = Int.random(in: 0..<24, using: &generator)
            let ageGroup = Int.random(in: 1...6, using: &generator)
            let device = Int.random(in: 0..<10, using: &generator) < 6 ? 0 : Int.random(in: 1...2, using: &generator)
            let position = Int.random(in: 1...5, using: &generator)
            for value in [hour, ageGroup, device, position] {
                line += Array(String(value).utf8)
                line.append(UInt8(ascii: ","))
            }
            for column in Self.drivers.count..<(columns - 1) {
                switch column % 3 {
                case 0: Self.appendDecimal(Self.gaussian(&generator), to: &line)
                case 1: line += Array(String(Int.random(in: 0..<50, using: &generator)).utf8)
                default: Self.appendDecimal(exp(Self.gaussian(&generator)), to: &line)
                }
                line.append(UInt8(ascii: ","))
            }
            let clicked = Double.random(in: 0..<1, using: &generator) < Self.clickProbability(hour: hour, ageGroup: ageGroup, device: device, position: position)
            line.append(clicked ? UInt8(ascii: "1") : UInt8(ascii: "0"))
            line.append(UInt8(ascii: "\n"))
            chunk += line
            if chunk.count >= 1 << 20 {
                try write(chunk)
                chunk.removeAll(keepingCapacity: true)
            }
        }
        if !chunk.isEmpty { try write(chunk) }
    }

    /// `feature,description` for every feature column.
    public func mappingCSV() -> String {
        "feature,description\n" + featureNames.map { name in
            "\(name),\(Self.descriptions[name] ?? "노이즈 피처 \(name.dropFirst(2))")"
        }.joined(separator: "\n") + "\n"
    }

    static func gaussian(_ generator: inout SeededGenerator) -> Double {
        // Box–Muller; 1 − u keeps the logarithm finite.
        let u = 1 - Double.random(in: 0..<1, using: &generator), v = Double.random(in: 0..<1, using: &generator)
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }

    /// Four decimals, without Foundation's formatter (this runs millions of times).
    static func appendDecimal(_ value: Double, to line: inout [UInt8]) {
        var scaled = Int((value * 10_000).rounded())
        if scaled < 0 { line.append(UInt8(ascii: "-")); scaled = -scaled }
        line += Array(String(scaled / 10_000).utf8)
        line.append(UInt8(ascii: "."))
        let fraction = String(scaled % 10_000)
        line += Array(repeating: UInt8(ascii: "0"), count: 4 - fraction.count) + Array(fraction.utf8)
    }
}
