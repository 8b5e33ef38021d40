import Foundation
import KilnCore

/// A gradient-boosted tree ensemble read from XGBoost's JSON model (numerical splits, one
/// output): enough to evaluate it exactly as XGBoost does (`value < threshold` goes left, a
/// missing value takes the default branch, leaves summed in tree order in FP32 from the base
/// margin, then the objective's link) and to evaluate KernelSHAP's coalitions without
/// materialising their rows (`coalitionOutputs`).
public struct TreeEnsemble: Sendable {
    public enum Link: Sendable { case identity, logistic }

    struct Tree: Sendable {
        var feature: [Int32]
        var threshold: [Float]
        var left: [Int32]
        var right: [Int32]
        var defaultLeft: [Bool]
        /// Distinct split features.
        var features: [Int]

        /// XGBoost's rule: a missing value takes the default branch, otherwise `value < threshold` goes left.
        @inline(__always) func goesLeft(_ node: Int, _ value: Float) -> Bool {
            value.isNaN ? defaultLeft[node] : value < threshold[node]
        }

        /// The leaf value `value(feature)` leads to.
        @inline(__always) func leaf(_ value: (Int) -> Float) -> Float {
            var node = 0
            while left[node] != -1 {
                let v = value(Int(feature[node]))
                node = Int(v.isNaN ? (defaultLeft[node] ? left[node] : right[node]) : (v < threshold[node] ? left[node] : right[node]))
            }
            return threshold[node]  // XGBoost keeps a leaf's value in split_conditions
        }
    }

    let trees: [Tree]
    public let baseMargin: Float
    public let link: Link
    public let featureCount: Int

    /// nil when the model is outside what this evaluator reproduces (several outputs,
    /// categorical splits, another objective); the caller then evaluates through XGBoost.
    public init?(xgboostJSON data: Data) {
        guard let model = try? JSONDecoder().decode(XGBoostModelJSON.self, from: data) else { return nil }
        let learner = model.learner
        guard learner.gradient_booster.name == "gbtree", Int(learner.learner_model_param.num_class ?? "0") ?? 1 <= 1,
              Int(learner.learner_model_param.num_target ?? "1") == 1,
              let base = Float(learner.learner_model_param.base_score), let features = Int(learner.learner_model_param.num_feature),
              learner.gradient_booster.model.tree_info.allSatisfy({ $0 == 0 }) else { return nil }
        switch learner.objective.name {
        case "binary:logistic":
            guard base > 0, base < 1 else { return nil }
            link = .logistic
            baseMargin = Float(log(Double(base) / (1 - Double(base))))
        case "reg:squarederror", "reg:linear", "binary:logitraw":
            link = .identity
            baseMargin = base
        default:
            return nil
        }
        var trees: [Tree] = []
        for tree in model.trees {
            let count = tree.left_children.count
            guard count > 0, [tree.split_indices.count, tree.split_conditions.count, tree.right_children.count, tree.default_left.count]
                    .allSatisfy({ $0 == count }),
                  (tree.split_type ?? []).allSatisfy({ $0 == 0 }),
                  tree.left_children.allSatisfy({ $0 == -1 || (0..<Int32(count)).contains($0) }),
                  tree.right_children.allSatisfy({ $0 == -1 || (0..<Int32(count)).contains($0) }),
                  tree.split_indices.indices.allSatisfy({ tree.left_children[$0] == -1 || (0..<Int32(features)).contains(tree.split_indices[$0]) })
            else { return nil }
            let used = Set(tree.split_indices.indices.filter { tree.left_children[$0] != -1 }.map { Int(tree.split_indices[$0]) })
            trees.append(Tree(feature: tree.split_indices, threshold: tree.split_conditions, left: tree.left_children,
                              right: tree.right_children, defaultLeft: tree.default_left.map { $0 != 0 }, features: used.sorted()))
        }
        self.trees = trees
        featureCount = features
    }

    func output(_ margin: Float) -> Double {
        switch link {
        case .identity: Double(margin)
        case .logistic: Double(1 / (1 + exp(-margin)))
        }
    }

    /// The model's output for one row.
    public func predict(_ row: ArraySlice<Float>) -> Double {
        let start = row.startIndex
        var margin = baseMargin
        for tree in trees { margin += tree.leaf { row[start + $0] } }
        return output(margin)
    }

    /// The outputs for every row of `plan.rows(0..<plan.rowCount)`, without making the rows.
    ///
    /// Within one tree, the leaf a coalition row reaches depends only on which of the tree's own
    /// split features come from the instance, and on the background row: each distinct pattern
    /// of those features is walked once per background row, and each coalition then adds its
    /// pattern's leaf values to its background rows' margins (in tree order, as XGBoost sums).
    public func coalitionOutputs(_ plan: KernelSHAP) -> [Double] {
        let background = plan.background, columns = background.columns
        return [predict(plan.instance[...])]
            + (0..<background.rows).map { predict(background.values[($0 * columns)..<(($0 + 1) * columns)]) }
            + outputs(margins: [coalitionMargins(plan, trees: 0..<trees.count)])
    }

    public var treeCount: Int { trees.count }

    /// The coalition rows' outputs from partial margins of consecutive tree ranges (added in
    /// order to the base margin, then the link).
    public func outputs(margins parts: [[Float]]) -> [Double] {
        guard let first = parts.first else { return [] }
        var margins = [Float](repeating: baseMargin, count: first.count)
        margins.withUnsafeMutableBufferPointer { margins in
            for part in parts {
                part.withUnsafeBufferPointer { part in
                    for index in 0..<margins.count { margins[index] += part[index] }
                }
            }
        }
        switch link {
        case .identity: return margins.map(Double.init)
        case .logistic: return margins.map { Double(1 / (1 + exp(-$0))) }
        }
    }

    /// The coalition rows' margins over the trees `range` alone (`samples × background rows`,
    /// in plan order), so that parts of the ensemble can run on several threads.
    public func coalitionMargins(_ plan: KernelSHAP, trees range: Range<Int>) -> [Float] {
        let background = plan.background, x = plan.instance
        let b = background.rows, columns = background.columns, samples = plan.sampleCount
        let m = plan.varying.count
        var position = [Int](repeating: -1, count: columns)
        for (index, feature) in plan.varying.enumerated() { position[feature] = index }
        var margins = [Float](repeating: 0, count: samples * b)
        var table: [Float] = []
        var slots: [Int32] = []
        var patternOf = [Int](repeating: 0, count: samples)
        plan.masks.withUnsafeBufferPointer { masks in
            background.values.withUnsafeBufferPointer { rows in
                for tree in trees[range] {
                    let own = tree.features.filter { position[$0] >= 0 }
                    // The bit of each node's feature in a pattern key (-1: not varying, the instance's value).
                    var bitOf = [Int](repeating: -1, count: columns)
                    for (bit, feature) in own.enumerated() { bitOf[feature] = bit }
                    if own.count > 16 {
                        // Too many features for a table of patterns: walk every coalition row.
                        for sample in 0..<samples {
                            let mask = masks.baseAddress! + sample * m
                            for row in 0..<b {
                                margins[sample * b + row] += tree.leaf { feature in
                                    let index = position[feature]
                                    return index >= 0 && mask[index] == 0 ? rows[row * columns + feature] : x[feature]
                                }
                            }
                        }
                        continue
                    }
                    let ownPositions = own.map { position[$0] }
                    // Each node's decision for the instance, and for every background row, once.
                    let nodes = tree.left.count
                    var nodeBit = [Int](repeating: -1, count: nodes)
                    var instanceLeft = [Bool](repeating: false, count: nodes)
                    var rowLeft = [Bool](repeating: false, count: nodes * b)
                    for node in 0..<nodes where tree.left[node] != -1 {
                        let feature = Int(tree.feature[node])
                        nodeBit[node] = bitOf[feature]
                        instanceLeft[node] = tree.goesLeft(node, x[feature])
                        if bitOf[feature] >= 0 {
                            for row in 0..<b { rowLeft[node * b + row] = tree.goesLeft(node, rows[row * columns + feature]) }
                        }
                    }
                    slots = [Int32](repeating: -1, count: 1 << own.count)
                    table.removeAll(keepingCapacity: true)
                    var patterns = 0
                    for sample in 0..<samples {
                        var key = 0
                        for (bit, index) in ownPositions.enumerated() where masks[sample * m + index] == 1 { key |= 1 << bit }
                        if slots[key] < 0 {
                            slots[key] = Int32(patterns)
                            patterns += 1
                            for row in 0..<b {
                                var node = 0
                                while tree.left[node] != -1 {
                                    let bit = nodeBit[node]
                                    let left = bit < 0 || key & (1 << bit) != 0 ? instanceLeft[node] : rowLeft[node * b + row]
                                    node = Int(left ? tree.left[node] : tree.right[node])
                                }
                                table.append(tree.threshold[node])
                            }
                        }
                        patternOf[sample] = Int(slots[key])
                    }
                    table.withUnsafeBufferPointer { leaves in
                        margins.withUnsafeMutableBufferPointer { margins in
                            for sample in 0..<samples {
                                let source = leaves.baseAddress! + patternOf[sample] * b
                                let target = margins.baseAddress! + sample * b
                                for row in 0..<b { target[row] += source[row] }
                            }
                        }
                    }
                }
            }
        }
        return margins
    }
}
