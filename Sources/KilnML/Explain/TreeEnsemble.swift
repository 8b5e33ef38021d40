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
        struct Model: Decodable {
            struct Learner: Decodable {
                struct Parameters: Decodable { var base_score: String; var num_class: String?; var num_feature: String; var num_target: String? }
                struct Objective: Decodable { var name: String }
                struct Booster: Decodable {
                    struct Inner: Decodable {
                        struct Tree: Decodable {
                            var split_indices: [Int32]
                            var split_conditions: [Float]
                            var left_children: [Int32]
                            var right_children: [Int32]
                            var default_left: [Int]
                            var split_type: [Int]?
                        }
                        var trees: [Tree]
                        var tree_info: [Int]
                    }
                    var name: String
                    var model: Inner
                }
                var learner_model_param: Parameters
                var objective: Objective
                var gradient_booster: Booster
            }
            var learner: Learner
        }
        guard let model = try? JSONDecoder().decode(Model.self, from: data) else { return nil }
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
        for tree in learner.gradient_booster.model.trees {
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
        let background = plan.background, x = plan.instance
        let b = background.rows, columns = background.columns, samples = plan.sampleCount
        let m = plan.varying.count
        var position = [Int](repeating: -1, count: columns)
        for (index, feature) in plan.varying.enumerated() { position[feature] = index }
        var margins = [Float](repeating: baseMargin, count: samples * b)
        var table: [Float] = []
        for tree in trees {
            let own = tree.features.filter { position[$0] >= 0 }
            guard own.count <= 63 else {
                // Too many features for a pattern key: walk every coalition row.
                for sample in 0..<samples {
                    let mask = plan.masks[(sample * m)..<((sample + 1) * m)]
                    for row in 0..<b {
                        margins[sample * b + row] += tree.leaf { feature in
                            let index = position[feature]
                            return index >= 0 && mask[mask.startIndex + index] == 0 ? background.values[row * columns + feature] : x[feature]
                        }
                    }
                }
                continue
            }
            var patterns: [UInt64: Int] = [:]
            var patternOf = [Int](repeating: 0, count: samples)
            table.removeAll(keepingCapacity: true)
            for sample in 0..<samples {
                var key: UInt64 = 0
                for (bit, feature) in own.enumerated() where plan.masks[sample * m + position[feature]] == 1 { key |= 1 << UInt64(bit) }
                if let known = patterns[key] {
                    patternOf[sample] = known
                    continue
                }
                let index = patterns.count
                patterns[key] = index
                patternOf[sample] = index
                for row in 0..<b {
                    table.append(tree.leaf { feature in
                        let bit = own.firstIndex(of: feature)
                        if let bit, key & (1 << UInt64(bit)) != 0 { return x[feature] }
                        return position[feature] >= 0 ? background.values[row * columns + feature] : x[feature]
                    })
                }
            }
            table.withUnsafeBufferPointer { leaves in
                margins.withUnsafeMutableBufferPointer { margins in
                    for sample in 0..<samples {
                        let source = patternOf[sample] * b, target = sample * b
                        for row in 0..<b { margins[target + row] += leaves[source + row] }
                    }
                }
            }
        }
        var outputs = [Double](repeating: 0, count: plan.rowCount)
        outputs[0] = predict(x[...])
        for row in 0..<b { outputs[1 + row] = predict(background.values[(row * columns)..<((row + 1) * columns)]) }
        for index in margins.indices { outputs[1 + b + index] = output(margins[index]) }
        return outputs
    }
}
