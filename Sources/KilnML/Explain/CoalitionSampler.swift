import KilnCore

/// shap's coalition schedule: whole subset sizes while the remaining budget covers them (in
/// proportion to the Shapley kernel's weight for the size), then random coalitions of the
/// remaining sizes, each drawn with its complement; a repeated coalition adds to its weight.
struct CoalitionSampler {
    let m: Int
    let budget: Int
    var generator: SeededGenerator
    var masks: [UInt8] = []
    var weights: [Double] = []

    init(features: Int, samples: Int, seed: UInt64) {
        m = features
        budget = samples
        generator = SeededGenerator(state: seed)
    }

    mutating func run() {
        let sizes = m / 2, pairedSizes = (m - 1) / 2  // ⌈(M − 1)/2⌉ and ⌊(M − 1)/2⌋, as shap
        var weightVector = (1...sizes).map { s in Double(m - 1) / Double(s * (m - s)) }
        for s in 0..<pairedSizes { weightVector[s] *= 2 }
        let sum = weightVector.reduce(0, +)
        weightVector = weightVector.map { $0 / sum }

        var fullSizes = 0
        var samplesLeft = Double(budget)
        var remaining = weightVector
        for size in 1...sizes {
            var subsets = binomial(m, size)
            if size <= pairedSizes { subsets *= 2 }
            guard samplesLeft * remaining[size - 1] / subsets >= 1 - 1e-8 else { break }
            fullSizes += 1
            samplesLeft -= subsets
            if remaining[size - 1] < 1 {
                let scale = 1 - remaining[size - 1]
                remaining = remaining.map { $0 / scale }
            }
            var w = weightVector[size - 1] / binomial(m, size)
            if size <= pairedSizes { w /= 2 }
            forEachCombination(size) { chosen in
                var mask = [UInt8](repeating: 0, count: m)
                for index in chosen { mask[index] = 1 }
                add(mask, weight: w)
                if size <= pairedSizes { add(mask.map { 1 - $0 }, weight: w) }
            }
        }
        let fixed = weights.count
        var left = budget - fixed
        guard fullSizes != sizes, left > 0 else { return }
        var sampling = weightVector
        for s in 0..<pairedSizes { sampling[s] /= 2 }  // each draw below adds two coalitions
        sampling = Array(sampling[fullSizes...])
        let total = sampling.reduce(0, +)
        sampling = sampling.map { $0 / total }
        // Coalitions already drawn, by their mask packed into bits (64 features per word).
        var seen: [[UInt64]: Int] = [:]
        func packed(_ mask: [UInt8]) -> [UInt64] {
            var words = [UInt64](repeating: 0, count: (m + 63) / 64)
            for index in 0..<m where mask[index] == 1 { words[index / 64] |= 1 << UInt64(index % 64) }
            return words
        }
        var draws = 0
        while left > 0, draws < 4 * (budget - fixed) {
            draws += 1
            let size = draw(sampling) + fullSizes + 1
            var mask = [UInt8](repeating: 0, count: m)
            for index in randomSubset(size) { mask[index] = 1 }
            let key = packed(mask)
            let position = seen[key]
            if position == nil {
                seen[key] = weights.count
                add(mask, weight: 1)
                left -= 1
            } else {
                weights[position!] += 1
            }
            if left > 0, size <= pairedSizes {
                if let position {
                    weights[position + 1] += 1
                } else {
                    add(mask.map { 1 - $0 }, weight: 1)
                    left -= 1
                }
            }
        }
        let weightLeft = weightVector[fullSizes...].reduce(0, +)
        let drawn = weights[fixed...].reduce(0, +)
        for index in fixed..<weights.count { weights[index] *= weightLeft / drawn }
    }

    mutating func add(_ mask: [UInt8], weight: Double) {
        masks.append(contentsOf: mask)
        weights.append(weight)
    }

    /// An index of `probabilities` drawn in proportion to them.
    mutating func draw(_ probabilities: [Double]) -> Int {
        var u = Double.random(in: 0..<1, using: &generator)
        for (index, p) in probabilities.enumerated() {
            if u < p { return index }
            u -= p
        }
        return probabilities.count - 1
    }

    /// `size` distinct indices of 0..<m (a partial Fisher–Yates shuffle).
    mutating func randomSubset(_ size: Int) -> ArraySlice<Int> {
        var indices = Array(0..<m)
        for i in 0..<size { indices.swapAt(i, Int.random(in: i..<m, using: &generator)) }
        return indices[..<size]
    }

    func forEachCombination(_ size: Int, _ body: ([Int]) -> Void) {
        var chosen = Array(0..<size)
        while true {
            body(chosen)
            var i = size - 1
            while i >= 0, chosen[i] == m - size + i { i -= 1 }
            guard i >= 0 else { return }
            chosen[i] += 1
            for j in (i + 1)..<size { chosen[j] = chosen[j - 1] + 1 }
        }
    }

    func binomial(_ n: Int, _ k: Int) -> Double {
        var result = 1.0
        for i in 0..<k { result = result * Double(n - i) / Double(i + 1) }
        return result.rounded()
    }
}
