/// The parts of XGBoost's JSON model (`save_model("model.json")`) Kiln reads without the
/// library: the trees (for `TreeEnsemble` and the CTR app's gain importance) and the learner's
/// parameters. Field names are XGBoost's.
public struct XGBoostModelJSON: Decodable, Sendable {
    public struct Learner: Decodable, Sendable {
        public struct Parameters: Decodable, Sendable {
            public var base_score: String
            public var num_class: String?
            public var num_feature: String
            public var num_target: String?
        }
        public struct Objective: Decodable, Sendable { public var name: String }
        public struct Booster: Decodable, Sendable {
            public struct Inner: Decodable, Sendable {
                public var trees: [Tree]
                public var tree_info: [Int]
            }
            public var name: String
            public var model: Inner
        }
        public var learner_model_param: Parameters
        public var objective: Objective
        public var gradient_booster: Booster
    }

    public struct Tree: Decodable, Sendable {
        public var split_indices: [Int32]
        public var split_conditions: [Float]
        public var left_children: [Int32]
        public var right_children: [Int32]
        public var default_left: [Int]
        public var loss_changes: [Double]
        public var split_type: [Int]?
    }

    public var learner: Learner

    public var trees: [Tree] { learner.gradient_booster.model.trees }
}
