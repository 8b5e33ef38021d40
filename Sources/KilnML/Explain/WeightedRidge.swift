/// Weighted linear least squares with an intercept and an L2 penalty, as scikit-learn's
/// `Ridge(alpha:, fit_intercept: true).fit(X, y, sample_weight:)` defines it: columns and target
/// are centred on their weighted means, the penalty leaves the intercept alone, and the score is
/// the weighted R². LIME's surrogate and its feature selection are this model.
///
/// The weighted, centred moments are computed once; a fit on any subset of the columns then
/// costs a `k × k` solve, which is what makes LIME's greedy forward selection cheap.
public struct WeightedMoments: Sendable {
    public let columnCount: Int
    let means: [Double]
    let targetMean: Double
    /// Σ w (xᵢ − x̄ᵢ)(xⱼ − x̄ⱼ), row-major.
    let gram: [Double]
    /// Σ w (xᵢ − x̄ᵢ)(y − ȳ).
    let moment: [Double]
    /// Σ w (y − ȳ)².
    let targetSquares: Double

    /// - Parameters:
    ///   - columns: each feature column, all as long as `target`.
    ///   - weights: one non-negative weight per row.
    public init(columns: [[Double]], target: [Double], weights: [Double]) {
        let rows = target.count
        let totalWeight = weights.reduce(0, +)
        func weightedMean(_ values: [Double]) -> Double {
            guard totalWeight > 0 else { return 0 }
            var sum = 0.0
            for row in 0..<rows { sum += weights[row] * values[row] }
            return sum / totalWeight
        }
        let k = columns.count
        let means = columns.map(weightedMean)
        let targetMean = weightedMean(target)
        let centred = (0..<k).map { j in columns[j].map { $0 - means[j] } }
        let centredTarget = target.map { $0 - targetMean }
        var gram = [Double](repeating: 0, count: k * k)
        var moment = [Double](repeating: 0, count: k)
        for i in 0..<k {
            let weighted = (0..<rows).map { weights[$0] * centred[i][$0] }
            for row in 0..<rows { moment[i] += weighted[row] * centredTarget[row] }
            for j in i..<k {
                var sum = 0.0
                for row in 0..<rows { sum += weighted[row] * centred[j][row] }
                gram[i * k + j] = sum
                gram[j * k + i] = sum
            }
        }
        var squares = 0.0
        for row in 0..<rows { squares += weights[row] * centredTarget[row] * centredTarget[row] }
        columnCount = k
        self.means = means
        self.targetMean = targetMean
        self.gram = gram
        self.moment = moment
        targetSquares = squares
    }

    /// The ridge fit on the columns `subset` (in that order).
    public func fit(_ subset: [Int], alpha: Double) -> WeightedRidge {
        let k = subset.count
        var a = [Double](repeating: 0, count: k * k)
        for (i, p) in subset.enumerated() {
            for (j, q) in subset.enumerated() { a[i * k + j] = gram[p * columnCount + q] }
            a[i * k + i] += alpha
        }
        let b = subset.map { moment[$0] }
        let beta = SymmetricSolve.solve(a, b, size: k)
        // Residual sum of squares from the moments: Syy − 2βᵀm + βᵀGβ (G without the penalty).
        var residual = targetSquares
        for i in 0..<k {
            residual -= 2 * beta[i] * b[i]
            for j in 0..<k { residual += beta[i] * gram[subset[i] * columnCount + subset[j]] * beta[j] }
        }
        let r2 = targetSquares > 0 ? 1 - max(0, residual) / targetSquares : (abs(residual) < 1e-12 ? 1 : 0)
        let intercept = targetMean - zip(beta, subset).reduce(0) { $0 + $1.0 * means[$1.1] }
        return WeightedRidge(features: subset, coefficients: beta, intercept: intercept, r2: r2)
    }
}

/// One fitted ridge model over the columns `features`.
public struct WeightedRidge: Sendable {
    public var features: [Int]
    public var coefficients: [Double]
    public var intercept: Double
    /// Weighted R² on the data it was fitted to.
    public var r2: Double

    /// The prediction for a full row (values of every column; only `features` are read).
    public func predict(_ row: [Double]) -> Double {
        zip(features, coefficients).reduce(intercept) { $0 + row[$1.0] * $1.1 }
    }
}

/// Solves `A x = b` for a symmetric positive semi-definite `A` (row-major, `size × size`).
enum SymmetricSolve {
    /// Cholesky when `A` is positive definite; otherwise the minimum-norm least-squares solution
    /// through the eigen-decomposition (singular directions dropped, as numpy's `pinv` does).
    static func solve(_ a: [Double], _ b: [Double], size n: Int) -> [Double] {
        guard n > 0 else { return [] }
        if let x = cholesky(a, b, size: n) { return x }
        return pseudoInverseSolve(a, b, size: n)
    }

    static func cholesky(_ a: [Double], _ b: [Double], size n: Int) -> [Double]? {
        var l = [Double](repeating: 0, count: n * n)
        let scale = (0..<n).map { a[$0 * n + $0] }.max() ?? 0
        for i in 0..<n {
            for j in 0...i {
                var sum = a[i * n + j]
                for k in 0..<j { sum -= l[i * n + k] * l[j * n + k] }
                if i == j {
                    guard sum > 1e-12 * max(scale, 1e-300) else { return nil }
                    l[i * n + i] = sum.squareRoot()
                } else {
                    l[i * n + j] = sum / l[j * n + j]
                }
            }
        }
        var y = b
        for i in 0..<n {
            for k in 0..<i { y[i] -= l[i * n + k] * y[k] }
            y[i] /= l[i * n + i]
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            for k in (i + 1)..<n { y[i] -= l[k * n + i] * y[k] }
            y[i] /= l[i * n + i]
        }
        return y
    }

    /// Jacobi eigenvalue iteration: `A = V Λ Vᵀ`, `x = V Λ⁺ Vᵀ b`.
    static func pseudoInverseSolve(_ matrix: [Double], _ b: [Double], size n: Int) -> [Double] {
        var a = matrix
        var v = [Double](repeating: 0, count: n * n)
        for i in 0..<n { v[i * n + i] = 1 }
        for _ in 0..<100 {
            var off = 0.0
            for p in 0..<n { for q in (p + 1)..<max(p + 1, n) { off += a[p * n + q] * a[p * n + q] } }
            if off < 1e-22 { break }
            for p in 0..<n {
                for q in (p + 1)..<max(p + 1, n) where abs(a[p * n + q]) > 1e-300 {
                    let theta = (a[q * n + q] - a[p * n + p]) / (2 * a[p * n + q])
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<n {
                        let akp = a[k * n + p], akq = a[k * n + q]
                        a[k * n + p] = c * akp - s * akq
                        a[k * n + q] = s * akp + c * akq
                    }
                    for k in 0..<n {
                        let apk = a[p * n + k], aqk = a[q * n + k]
                        a[p * n + k] = c * apk - s * aqk
                        a[q * n + k] = s * apk + c * aqk
                    }
                    for k in 0..<n {
                        let vkp = v[k * n + p], vkq = v[k * n + q]
                        v[k * n + p] = c * vkp - s * vkq
                        v[k * n + q] = s * vkp + c * vkq
                    }
                }
            }
        }
        let eigenvalues = (0..<n).map { a[$0 * n + $0] }
        let cutoff = (eigenvalues.map(abs).max() ?? 0) * Double(n) * 2.2e-16
        var x = [Double](repeating: 0, count: n)
        for j in 0..<n where abs(eigenvalues[j]) > cutoff {
            var projection = 0.0
            for k in 0..<n { projection += v[k * n + j] * b[k] }
            projection /= eigenvalues[j]
            for k in 0..<n { x[k] += v[k * n + j] * projection }
        }
        return x
    }
}
