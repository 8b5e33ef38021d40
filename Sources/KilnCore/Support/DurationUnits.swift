/// A `Duration` in the units metrics, logs and answers report. One definition, so that every
/// figure Kiln prints truncates and rounds the same way.
extension Duration {
    /// Whole nanoseconds (sub-nanosecond parts truncated).
    public var nanosecondsValue: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    public var millisecondsValue: Double { Double(nanosecondsValue) / 1e6 }

    public var secondsValue: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
