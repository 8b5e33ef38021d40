import KilnCore

/// Model-agnostic Shapley values, as `shap.KernelExplainer` computes them (Lundberg & Lee 2017):
/// coalitions of the features that differ from the background are enumerated size by size
/// while the budget covers a whole size (smallest and largest first, each with its complement),
/// the rest are drawn with the Shapley kernel's size distribution; the model is evaluated on
/// each coalition with the missing features taken from every background row, and a weighted
/// linear regression constrained to Σφ = f(x) − E[f(background)] gives the values.
///
/// The explainer does not call the model: `plan` says which rows to evaluate (`rows(_:)`, made
/// on demand so that a large plan never sits in memory) and `explain` turns the model's outputs
/// for those rows into values. The caller batches the calls, through the serving layer.
public struct KernelSHAP: Sendable {
    public let instance: [Float]
    public let background: Background
    /// Features whose value differs from some background row; the others get φ = 0, as in shap.
    public let varying: [Int]
    /// `sampleCount × varying.count` coalition masks, row-major (1: the instance's value).
    let masks: [UInt8]
    let kernelWeights: [Double]
    public var sampleCount: Int { kernelWeights.count }

    /// The coalitions shap's `nsamples` would give: `samples` (default 2·M + 2048, at most 2^M − 2)
    /// drawn with `seed`.
    public init(instance: [Float], background: Background, samples requested: Int? = nil, seed: UInt64 = 0) {
        self.instance = instance
        self.background = background
        let columns = background.columns
        varying = (0..<columns).filter { feature in
            (0..<background.rows).contains { background.values[$0 * columns + feature] != instance[feature] }
        }
        let m = varying.count
        var samples = requested ?? (2 * m + 2048)
        if m <= 30 { samples = min(samples, (1 << m) - 2) }
        var coalitions = CoalitionSampler(features: m, samples: max(0, samples), seed: seed)
        if m >= 2 { coalitions.run() }
        masks = coalitions.masks
        kernelWeights = coalitions.weights
    }

    /// Rows the model is evaluated on: the instance, the background rows, then for each coalition
    /// one row per background row.
    public var rowCount: Int { 1 + background.rows * (1 + sampleCount) }

    /// The rows `range` of the evaluation (row-major, `background.columns` values each).
    public func rows(_ range: Range<Int>) -> [Float] {
        let columns = background.columns, m = varying.count
        var out = [Float](repeating: 0, count: range.count * columns)
        for (position, row) in range.enumerated() {
            let target = position * columns
            if row == 0 {
                for feature in 0..<columns { out[target + feature] = instance[feature] }
                continue
            }
            let backgroundRow = (row - 1) % background.rows
            let source = backgroundRow * columns
            for feature in 0..<columns { out[target + feature] = background.values[source + feature] }
            let sample = (row - 1) / background.rows - 1
            guard sample >= 0 else { continue }
            for (index, feature) in varying.enumerated() where masks[sample * m + index] == 1 {
                out[target + feature] = instance[feature]
            }
        }
        return out
    }

    public struct Explanation: Sendable, Equatable {
        /// One value per feature of the input (0 for features that do not vary).
        public var values: [Double]
        /// E[f(background)], weighted.
        public var baseValue: Double
        /// f(instance).
        public var prediction: Double
        /// |base + Σφ − f(x)|: what the constraint leaves in floating point.
        public var additivityError: Double
        /// Weighted root-mean-square error of the additive model over the evaluated coalitions:
        /// how far the model is from additive at the sampled points.
        public var fitError: Double
        public var samples: Int
    }

    /// - Parameter outputs: the model's output for each of `rowCount` rows.
    public func explain(_ outputs: [Double]) -> Explanation {
        precondition(outputs.count == rowCount, "one output per planned row")
        let b = background.rows, m = varying.count
        let weights = background.normalisedWeights
        let fx = outputs[0]
        var fnull = 0.0
        for row in 0..<b { fnull += weights[row] * outputs[1 + row] }
        var values = [Double](repeating: 0, count: background.columns)
        var fitError = 0.0
        if m == 1 {
            values[varying[0]] = fx - fnull
        } else if m >= 2 {
            let ey = (0..<sampleCount).map { sample in
                var sum = 0.0
                let start = 1 + b * (1 + sample)
                for row in 0..<b { sum += weights[row] * outputs[start + row] }
                return sum
            }
            let phi = solve(ey: ey, fx: fx, fnull: fnull)
            for (index, feature) in varying.enumerated() { values[feature] = phi[index] }
            var squares = 0.0, total = 0.0
            for sample in 0..<sampleCount {
                var predicted = fnull
                for index in 0..<m where masks[sample * m + index] == 1 { predicted += phi[index] }
                squares += kernelWeights[sample] * (ey[sample] - predicted) * (ey[sample] - predicted)
                total += kernelWeights[sample]
            }
            fitError = total > 0 ? (squares / total).squareRoot() : 0
        }
        let additivity = abs(fnull + values.reduce(0, +) - fx)
        return Explanation(values: values, baseValue: fnull, prediction: fx, additivityError: additivity,
                           fitError: fitError, samples: sampleCount)
    }

    /// The constrained weighted least squares of shap's `solve`: the last varying feature is
    /// eliminated with Σφ = f(x) − fnull, the other M − 1 come from the normal equations.
    func solve(ey: [Double], fx: Double, fnull: Double) -> [Double] {
        let m = varying.count, k = m - 1
        let gap = fx - fnull
        var gram = [Double](repeating: 0, count: k * k)
        var moment = [Double](repeating: 0, count: k)
        var row = [Double](repeating: 0, count: k)
        for sample in 0..<sampleCount {
            let base = sample * m
            let last = Double(masks[base + k])
            for index in 0..<k { row[index] = Double(masks[base + index]) - last }
            let target = ey[sample] - fnull - last * gap
            let w = kernelWeights[sample]
            for i in 0..<k where row[i] != 0 {
                let wi = w * row[i]
                moment[i] += wi * target
                for j in i..<k where row[j] != 0 { gram[i * k + j] += wi * row[j] }
            }
        }
        for i in 0..<k { for j in 0..<i { gram[i * k + j] = gram[j * k + i] } }
        var phi = SymmetricSolve.solve(gram, moment, size: k)
        phi.append(gap - phi.reduce(0, +))
        return phi
    }
}

extension KernelSHAP {
    /// Background rows (row-major) with a weight each (k-means cluster sizes, or all equal).
    public struct Background: Sendable {
        public let values: [Float]
        public let rows: Int
        public let columns: Int
        public let weights: [Double]

        public init(values: [Float], rows: Int, columns: Int, weights: [Double]? = nil) {
            precondition(values.count == rows * columns && rows > 0)
            self.values = values
            self.rows = rows
            self.columns = columns
            self.weights = weights ?? [Double](repeating: 1, count: rows)
        }

        var normalisedWeights: [Double] {
            let total = weights.reduce(0, +)
            return weights.map { total > 0 ? $0 / total : 1 / Double(rows) }
        }
    }
}
