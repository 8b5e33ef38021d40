import Foundation

/// LIME's quartile discretizer (`lime.discretize.QuartileDiscretizer`), fitted on training rows:
/// each feature's bins are cut at its 25th, 50th and 75th percentiles (duplicates merged), and
/// each bin keeps its bounds, mean, standard deviation and frequency in the training data, so
/// that a bin can be turned back into a plausible value (a normal truncated to the bin).
public struct QuartileDiscretizer: Sendable {
    public struct Feature: Sendable {
        /// Ascending, distinct cut points; bin `i` holds values in (cuts[i-1], cuts[i]].
        public var cuts: [Double]
        var minimums: [Double]
        var maximums: [Double]
        var means: [Double]
        var deviations: [Double]
        /// Bins present in the training data, ascending, and their relative frequencies.
        var presentBins: [Int]
        var frequencies: [Double]
    }

    public let features: [Feature]
    public let names: [String]

    /// - Parameters:
    ///   - values: training rows, row-major, `columns` values each (NaN rows of a feature are skipped).
    public init(values: [Float], columns: Int, names: [String]) {
        let rows = columns == 0 ? 0 : values.count / columns
        self.names = names
        features = (0..<columns).map { feature in
            let column = (0..<rows).map { Double(values[$0 * columns + feature]) }.filter { !$0.isNaN }
            let sorted = column.sorted()
            guard let lowest = sorted.first, let highest = sorted.last else {
                return Feature(cuts: [], minimums: [0], maximums: [0], means: [0], deviations: [1e-11], presentBins: [0], frequencies: [1])
            }
            let cuts = Array(Set([0.25, 0.5, 0.75].map { Percentile.linear(sorted, $0) })).sorted()
            var groups = [[Double]](repeating: [], count: cuts.count + 1)
            for value in column { groups[Self.bin(value, cuts: cuts)].append(value) }
            let means = groups.map { $0.isEmpty ? 0 : $0.reduce(0, +) / Double($0.count) }
            let deviations = groups.indices.map { index -> Double in
                let group = groups[index]
                guard !group.isEmpty else { return 1e-11 }
                let variance = group.reduce(0) { $0 + ($1 - means[index]) * ($1 - means[index]) } / Double(group.count)
                return variance.squareRoot() + 1e-11
            }
            let present = groups.indices.filter { !groups[$0].isEmpty }
            return Feature(cuts: cuts, minimums: [lowest] + cuts, maximums: cuts + [highest], means: means, deviations: deviations,
                           presentBins: present, frequencies: present.map { Double(groups[$0].count) / Double(column.count) })
        }
    }

    /// The bin of a value: how many cut points lie strictly below it (numpy's `searchsorted`, left).
    static func bin(_ value: Double, cuts: [Double]) -> Int {
        cuts.prefix { $0 < value }.count
    }

    public func bin(_ value: Double, feature: Int) -> Int {
        Self.bin(value, cuts: features[feature].cuts)
    }

    /// The bin's condition as LIME names it: `age <= 40.00`, `40.00 < age <= 52.00`, `age > 61.00`.
    public func condition(feature: Int, bin: Int) -> String {
        let cuts = features[feature].cuts, name = names[feature]
        func format(_ value: Double) -> String { String(format: "%.2f", value) }
        if cuts.isEmpty { return name }
        if bin == 0 { return "\(name) <= \(format(cuts[0]))" }
        if bin >= cuts.count { return "\(name) > \(format(cuts[cuts.count - 1]))" }
        return "\(format(cuts[bin - 1])) < \(name) <= \(format(cuts[bin]))"
    }

    /// A random bin of the feature with the training frequencies.
    func sampleBin(feature: Int, using generator: inout some RandomNumberGenerator) -> Int {
        let entry = features[feature]
        var u = Double.random(in: 0..<1, using: &generator)
        for (index, p) in entry.frequencies.enumerated() {
            if u < p { return entry.presentBins[index] }
            u -= p
        }
        return entry.presentBins[entry.presentBins.count - 1]
    }

    /// A value for the bin: a normal with the bin's mean and deviation, truncated to its bounds.
    func value(feature: Int, bin: Int, using generator: inout some RandomNumberGenerator) -> Double {
        let entry = features[feature]
        let low = entry.minimums[bin], high = entry.maximums[bin]
        guard low != high else { return low }
        return TruncatedNormal.sample(mean: entry.means[bin], deviation: entry.deviations[bin], low: low, high: high, using: &generator)
    }
}

/// Draws from a normal truncated to [low, high] by inverting its CDF.
enum TruncatedNormal {
    static func sample(mean: Double, deviation: Double, low: Double, high: Double, using generator: inout some RandomNumberGenerator) -> Double {
        let a = NormalDistribution.cdf((low - mean) / deviation), b = NormalDistribution.cdf((high - mean) / deviation)
        guard b - a > 1e-12 else { return min(max(mean, low), high) }
        let u = a + Double.random(in: 0..<1, using: &generator) * (b - a)
        let value = mean + deviation * NormalDistribution.quantile(min(max(u, 1e-300), 1 - 1e-16))
        return min(max(value, low), high)
    }
}

/// The standard normal distribution.
public enum NormalDistribution {
    public static func cdf(_ z: Double) -> Double {
        0.5 * erfc(-z / 2.0.squareRoot())
    }

    /// The inverse CDF (Acklam's rational approximation refined by one Halley step; ~1e-15).
    public static func quantile(_ p: Double) -> Double {
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let low = 0.02425
        var x: Double
        if p < low {
            let q = (-2 * log(p)).squareRoot()
            x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        } else if p <= 1 - low {
            let q = p - 0.5, r = q * q
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
        } else {
            let q = (-2 * log(1 - p)).squareRoot()
            x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        let e = cdf(x) - p
        let u = e * (2 * Double.pi).squareRoot() * exp(x * x / 2)
        x -= u / (1 + x * u / 2)
        return x
    }
}
