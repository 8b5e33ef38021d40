import Foundation

/// Two-sided tests of whether two samples differ, as scipy computes them:
/// `mannWhitneyU` ≈ `scipy.stats.mannwhitneyu(method="asymptotic")` and `welchT` =
/// `scipy.stats.ttest_ind(equal_var=False)`.
public enum TwoSampleTests {
    /// Two-sided p-value of the Mann–Whitney U test (normal approximation, tie-corrected,
    /// continuity-corrected); 1 when either group is empty or all values tie.
    public static func mannWhitneyU(_ a: [Double], _ b: [Double]) -> Double {
        let n1 = Double(a.count), n2 = Double(b.count)
        guard n1 > 0, n2 > 0 else { return 1 }
        let (rankSumA, _, tieTerm) = TiedRanks.sum(a + b) { $0 < a.count }
        let u = rankSumA - n1 * (n1 + 1) / 2
        let n = n1 + n2
        let variance = n1 * n2 / 12 * ((n + 1) - tieTerm / (n * (n - 1)))
        guard variance > 0 else { return 1 }
        let z = (abs(u - n1 * n2 / 2) - 0.5) / variance.squareRoot()
        return min(1, erfc(max(0, z) / 2.0.squareRoot()))
    }

    public struct TResult: Sendable, Equatable {
        public var t: Double
        public var degreesOfFreedom: Double
        public var pValue: Double
    }

    /// Welch's unequal-variance t-test: t = (m₁ − m₂)/√(s₁²/n₁ + s₂²/n₂) with the
    /// Welch–Satterthwaite degrees of freedom. p = 1 when a group has fewer than two values or
    /// both variances are 0.
    public static func welchT(_ a: [Double], _ b: [Double]) -> TResult {
        guard a.count >= 2, b.count >= 2 else { return TResult(t: 0, degreesOfFreedom: 0, pValue: 1) }
        func meanVariance(_ x: [Double]) -> (Double, Double) {
            let mean = x.reduce(0, +) / Double(x.count)
            return (mean, x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(x.count - 1))
        }
        let (m1, v1) = meanVariance(a), (m2, v2) = meanVariance(b)
        let q1 = v1 / Double(a.count), q2 = v2 / Double(b.count)
        guard q1 + q2 > 0 else { return TResult(t: 0, degreesOfFreedom: 0, pValue: 1) }
        let t = (m1 - m2) / (q1 + q2).squareRoot()
        let df = (q1 + q2) * (q1 + q2) / (q1 * q1 / Double(a.count - 1) + q2 * q2 / Double(b.count - 1))
        return TResult(t: t, degreesOfFreedom: df, pValue: StudentT.twoSidedP(t, degreesOfFreedom: df))
    }
}

/// Student's t distribution through the regularised incomplete beta function.
public enum StudentT {
    /// P(|T| ≥ |t|) = I_{ν/(ν+t²)}(ν/2, 1/2).
    public static func twoSidedP(_ t: Double, degreesOfFreedom nu: Double) -> Double {
        guard t.isFinite else { return 0 }
        return min(1, max(0, IncompleteBeta.regularized(x: nu / (nu + t * t), a: nu / 2, b: 0.5)))
    }
}

enum IncompleteBeta {
    /// I_x(a, b) by the continued fraction (Numerical Recipes' `betai`/`betacf`, modified Lentz).
    static func regularized(x: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logGammas: Double = lgamma(a + b) - lgamma(a) - lgamma(b)
        let logPowers: Double = a * log(x) + b * log(1 - x)
        let front = exp(logGammas + logPowers)
        if x < (a + 1) / (a + b + 2) {
            return front * continuedFraction(x: x, a: a, b: b) / a
        }
        return 1 - front * continuedFraction(x: 1 - x, a: b, b: a) / b
    }

    static func continuedFraction(x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0, d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...300 {
            let m = Double(m)
            var numerator = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            d = 1 + numerator * d; if abs(d) < tiny { d = tiny }
            c = 1 + numerator / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            numerator = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            d = 1 + numerator * d; if abs(d) < tiny { d = tiny }
            c = 1 + numerator / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 3e-16 { break }
        }
        return h
    }
}
