/// A decimal `mantissa × 10^scale` whose conversion to `Double` is exact in one rounding
/// (Clinger's fast path: an integer mantissa below 2^53 times or divided by a power of ten up to
/// 10^22, both exact doubles). Shared by the CSV scanner and the JSON reader, which each check
/// their own grammar and build one of these only when the fast path applies.
@frozen public struct ExactDecimal: Sendable {
    public var mantissa: UInt64
    /// Power of ten, within -22...22.
    public var scale: Int
    public var negative: Bool

    @inlinable @inline(__always)
    public init(mantissa: UInt64, scale: Int, negative: Bool) {
        self.mantissa = mantissa
        self.scale = scale
        self.negative = negative
    }

    /// Whether a mantissa and scale qualify for the exact conversion.
    @inlinable @inline(__always)
    public static func isExact(mantissa: UInt64, scale: Int) -> Bool {
        mantissa < (1 << 53) && (-22...22).contains(scale)
    }

    /// Always finite (the mantissa is below 2^53 and the scale within ±22).
    @inlinable @inline(__always)
    public var value: Double {
        let magnitude = scale < 0 ? Double(mantissa) / Self.powerOfTen(-scale) : Double(mantissa) * Self.powerOfTen(scale)
        return negative ? -magnitude : magnitude
    }

    /// 10^n for n in 0...22, all exact doubles (a switch, not a lazily built global table:
    /// this runs once per parsed number).
    @inlinable @inline(__always)
    public static func powerOfTen(_ n: Int) -> Double {
        switch n {
        case 0: 1e0
        case 1: 1e1
        case 2: 1e2
        case 3: 1e3
        case 4: 1e4
        case 5: 1e5
        case 6: 1e6
        case 7: 1e7
        case 8: 1e8
        case 9: 1e9
        case 10: 1e10
        case 11: 1e11
        case 12: 1e12
        case 13: 1e13
        case 14: 1e14
        case 15: 1e15
        case 16: 1e16
        case 17: 1e17
        case 18: 1e18
        case 19: 1e19
        case 20: 1e20
        case 21: 1e21
        default: 1e22
        }
    }
}
