import Foundation
import KilnCore
import Torch

/// The seed's `TabularSeqModel`: the standardised feature vector is read as a sequence (one
/// feature per step) by a one-layer LSTM; its last hidden state goes through an MLP head (ReLU,
/// dropout) to one click logit. `forward` returns click probabilities, so the saved file is
/// served like any TorchScript classifier: FP32 `[batch, features]` in, `[batch]` out.
///
/// Built as TorchScript source plus parameters initialised here, as PyTorch initialises
/// `nn.LSTM` and `nn.Linear` (uniform in ±1/√fan-in), from a seeded generator.
struct TabularSeqModel {
    var features: Int
    var lstmHidden: Int
    var mlpHidden: [Int]
    var dropout: Double

    /// - Parameters:
    ///   - mean, scale: per-feature standardisation saved inside the module (missing values
    ///     become the mean).
    func build(runtime: TorchRuntime, mean: [Float], scale: [Float], seed: UInt64) throws -> TorchModule {
        var generator = SeededGenerator(state: seed)
        func uniform(_ count: Int, fanIn: Int) -> [Float] {
            let bound = 1 / Float(fanIn).squareRoot()
            return (0..<count).map { _ in Float.random(in: -bound...bound, using: &generator) }
        }
        let builder = try TorchModuleBuilder(runtime: runtime, className: "TabularSeqModel")
        try builder.add("mean", .float32(mean, shape: [features]), trainable: false)
        try builder.add("scale", .float32(scale, shape: [features]), trainable: false)
        let gates = 4 * lstmHidden
        try builder.add("w_ih", .float32(uniform(gates, fanIn: lstmHidden), shape: [gates, 1]))
        try builder.add("w_hh", .float32(uniform(gates * lstmHidden, fanIn: lstmHidden), shape: [gates, lstmHidden]))
        try builder.add("b_ih", .float32(uniform(gates, fanIn: lstmHidden), shape: [gates]))
        try builder.add("b_hh", .float32(uniform(gates, fanIn: lstmHidden), shape: [gates]))
        var width = lstmHidden
        var head = ""
        for (index, units) in (mlpHidden + [1]).enumerated() {
            try builder.add("fc\(index)_w", .float32(uniform(units * width, fanIn: width), shape: [units, width]))
            try builder.add("fc\(index)_b", .float32(uniform(units, fanIn: width), shape: [units]))
            head += "    h = torch.addmm(self.fc\(index)_b, h, self.fc\(index)_w.t())\n"
            if index < mlpHidden.count {
                head += "    h = torch.dropout(torch.relu(h), \(dropout), self.training)\n"
            }
            width = units
        }
        try builder.define("""
            def logits(self, x):
                z = torch.nan_to_num((x - self.mean) / self.scale, 0.0)
                h0 = torch.zeros([1, x.size(0), \(lstmHidden)], dtype=x.dtype)
                out = torch.lstm(z.unsqueeze(2), [h0, h0], [self.w_ih, self.w_hh, self.b_ih, self.b_hh], True, 1, 0.0, self.training, False, True)
                h = out[1][0]
            \(head)    return h.squeeze(1)

            def forward(self, x):
                return torch.sigmoid(self.logits(x))

            def loss(self, x, y, pos_weight):
                return torch.binary_cross_entropy_with_logits(self.logits(x), y, None, pos_weight, 1)
            """)
        return try builder.build()
    }

    /// Mean and standard deviation per column over `rows` (NaN skipped; a constant column gets scale 1).
    static func standardisation(values: [Float], columns: Int, rows: [Int]) -> (mean: [Float], scale: [Float]) {
        var mean = [Float](repeating: 0, count: columns), scale = [Float](repeating: 1, count: columns)
        for column in 0..<columns {
            var n = 0.0, sum = 0.0, squares = 0.0
            for row in rows {
                let value = values[row * columns + column]
                guard !value.isNaN else { continue }
                n += 1; sum += Double(value); squares += Double(value) * Double(value)
            }
            guard n > 0 else { continue }
            let average = sum / n
            let deviation = max(0, squares / n - average * average).squareRoot()
            mean[column] = Float(average)
            scale[column] = deviation > 1e-12 ? Float(deviation) : 1
        }
        return (mean, scale)
    }
}
