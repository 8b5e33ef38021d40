/// A feature's effect on one prediction by replacement: each feature in turn takes every
/// background row's value while the others keep the instance's, and its effect is
/// f(x) − E_b[f(x with xⱼ ← bⱼ)] (weighted by the background's weights). Not additive; cheap
/// (M × B rows), and what "permutation importance" means for a single row.
public struct PermutationEffects: Sendable {
    public let instance: [Float]
    public let background: KernelSHAP.Background

    public init(instance: [Float], background: KernelSHAP.Background) {
        self.instance = instance
        self.background = background
    }

    /// The instance, then for each feature one row per background row.
    public var rowCount: Int { 1 + background.columns * background.rows }

    public func rows(_ range: Range<Int>) -> [Float] {
        let columns = background.columns
        var out = [Float](repeating: 0, count: range.count * columns)
        for (position, row) in range.enumerated() {
            let target = position * columns
            for feature in 0..<columns { out[target + feature] = instance[feature] }
            guard row > 0 else { continue }
            let feature = (row - 1) / background.rows, backgroundRow = (row - 1) % background.rows
            out[target + feature] = background.values[backgroundRow * columns + feature]
        }
        return out
    }

    public func effects(_ outputs: [Double]) -> [Double] {
        precondition(outputs.count == rowCount, "one output per planned row")
        let weights = background.normalisedWeights
        return (0..<background.columns).map { feature in
            var expected = 0.0
            for row in 0..<background.rows { expected += weights[row] * outputs[1 + feature * background.rows + row] }
            return outputs[0] - expected
        }
    }
}
