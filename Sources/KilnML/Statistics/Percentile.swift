/// Percentiles of sorted values by linear interpolation between the closest ranks, as numpy's
/// default `np.percentile` computes them (LIME's quartile bins, bootstrap intervals).
public enum Percentile {
    /// - Parameters:
    ///   - sorted: ascending, at least one value.
    ///   - q: in 0...1.
    public static func linear(_ sorted: [Double], _ q: Double) -> Double {
        let position = q * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down)), upper = Int(position.rounded(.up))
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
    }
}
