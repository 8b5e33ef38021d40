import KilnCore

/// Reduces a reference sample to the background KernelSHAP integrates over, the two ways shap
/// offers: `shap.kmeans` (k cluster centres, each value snapped to the nearest value the
/// feature takes in the data, weighted by cluster size) and `shap.sample` (rows drawn without
/// replacement, equal weights). Both are seeded, so a background is reproducible.
public enum BackgroundSummary {
    public static func sample(_ values: [Float], rows: Int, columns: Int, count: Int, seed: UInt64) -> KernelSHAP.Background {
        guard count < rows else { return KernelSHAP.Background(values: values, rows: rows, columns: columns) }
        var generator = SeededGenerator(state: seed)
        var order = Array(0..<rows)
        for i in 0..<count { order.swapAt(i, Int.random(in: i..<rows, using: &generator)) }
        let picked = order[..<count].flatMap { values[($0 * columns)..<(($0 + 1) * columns)] }
        return KernelSHAP.Background(values: Array(picked), rows: count, columns: columns)
    }

    /// Lloyd's k-means from a k-means++ start (at most 300 iterations), then the centres rounded
    /// to data values as `shap.kmeans(round_values=True)` does.
    public static func kmeans(_ values: [Float], rows: Int, columns: Int, count k: Int, seed: UInt64) -> KernelSHAP.Background {
        guard k < rows else { return KernelSHAP.Background(values: values, rows: rows, columns: columns) }
        var generator = SeededGenerator(state: seed)
        func distance(_ row: Int, _ centre: [Double], _ index: Int) -> Double {
            var sum = 0.0
            for feature in 0..<columns {
                let d = Double(values[row * columns + feature]) - centre[index * columns + feature]
                sum += d * d
            }
            return sum
        }
        // k-means++: each next centre drawn with probability proportional to the squared distance.
        var centres = [Double](repeating: 0, count: k * columns)
        let first = Int.random(in: 0..<rows, using: &generator)
        for feature in 0..<columns { centres[feature] = Double(values[first * columns + feature]) }
        var nearest = (0..<rows).map { distance($0, centres, 0) }
        for index in 1..<k {
            let total = nearest.reduce(0, +)
            var u = Double.random(in: 0..<1, using: &generator) * total
            var chosen = rows - 1
            for row in 0..<rows {
                if u < nearest[row] { chosen = row; break }
                u -= nearest[row]
            }
            for feature in 0..<columns { centres[index * columns + feature] = Double(values[chosen * columns + feature]) }
            for row in 0..<rows { nearest[row] = min(nearest[row], distance(row, centres, index)) }
        }
        var assignment = [Int](repeating: -1, count: rows)
        for _ in 0..<300 {
            var changed = false
            for row in 0..<rows {
                var best = 0, bestDistance = Double.infinity
                for index in 0..<k {
                    let d = distance(row, centres, index)
                    if d < bestDistance { best = index; bestDistance = d }
                }
                if assignment[row] != best { assignment[row] = best; changed = true }
            }
            if !changed { break }
            var sums = [Double](repeating: 0, count: k * columns), counts = [Int](repeating: 0, count: k)
            for row in 0..<rows {
                counts[assignment[row]] += 1
                for feature in 0..<columns { sums[assignment[row] * columns + feature] += Double(values[row * columns + feature]) }
            }
            for index in 0..<k where counts[index] > 0 {
                for feature in 0..<columns { centres[index * columns + feature] = sums[index * columns + feature] / Double(counts[index]) }
            }
        }
        var counts = [Double](repeating: 0, count: k)
        for row in 0..<rows { counts[assignment[row]] += 1 }
        let kept = (0..<k).filter { counts[$0] > 0 }
        var summary: [Float] = []
        for index in kept {
            for feature in 0..<columns {
                let target = centres[index * columns + feature]
                var best = values[feature], bestGap = Double.infinity
                for row in 0..<rows {
                    let gap = abs(Double(values[row * columns + feature]) - target)
                    if gap < bestGap { best = values[row * columns + feature]; bestGap = gap }
                }
                summary.append(best)
            }
        }
        return KernelSHAP.Background(values: summary, rows: kept.count, columns: columns, weights: kept.map { counts[$0] })
    }
}
