import KilnCore
import Torch

/// The demo CT classifier, fully convolutional so that its explanation is the evidence its
/// decision used:
/// - three 3×3 convolutions (8, 16, 32 channels; ReLU; 2×2 average pooling after the first two)
///   to a 32×32 grid, then a 3×3 convolution dilated by 4 (32 channels) so each cell sees ~50
///   pixels: the inside of a large hypodense lesion looks like fat locally, and without the
///   context the evidence sat on the lesion's rim;
/// - a 3×3 mean over the grid, then a 1×1 convolution to one **lesion-evidence map**;
/// - the "lesion" logit is that map's maximum and the "no lesion" logit is fixed at 0, so the
///   log-odds of a lesion is the strongest evidence anywhere (a lesion is small: averaging would
///   drown it).
///
/// `logits_and_features` returns the logits and the evidence map, the layer Kiln's Grad-CAM
/// explains: the gradient reaches the map only at its maximum, so the heatmap is the evidence
/// itself and its peak is the place that decided the class. (Grad-CAM over the 32 channels
/// before it is unreliable here: the map's bias is not part of any channel, so the weighted sum
/// can be negative everywhere, cut to nothing by Grad-CAM's ReLU, even when the lesion logit is
/// high.)
///
/// Training adds, to the cross-entropy, a per-cell loss on the evidence map against the
/// lesion's share of each 4×4 cell (binary cross-entropy, positives weighted 5×, as the
/// lesion covers few cells): the synthetic slices come with their lesion masks, so the map is
/// taught where lesions are, not only whether there is one. Weights are initialised uniformly
/// within ±√(6/fan-in) (He), biases within ±1/√fan-in, from a seeded generator.
/// Input: `[batch, 1, 128, 128]` windowed slices in 0…1.
public enum CTClassifierNetwork {
    public static let inputSize = 128
    /// The evidence map's cells are `cellSize`×`cellSize` input pixels.
    public static let cellSize = 4
    public static let gradCAMMethod = "logits_and_features"
    public static let channels = [8, 16, 32]
    public static let contextDilation = 4
    public static let lesionCellWeight: Float = 5

    public static func build(runtime: TorchRuntime, seed: UInt64) throws -> TorchModule {
        var generator = SeededGenerator(state: seed)
        func uniform(_ shape: [Int], bound: Float) -> Tensor {
            let count = shape.reduce(1, *)
            return .float32((0..<count).map { _ in Float.random(in: -bound...bound, using: &generator) }, shape: shape)
        }
        let builder = try TorchModuleBuilder(runtime: runtime, className: "CTClassifier")
        func convolution(_ name: String, out: Int, in input: Int, kernel: Int) throws {
            let fanIn = Float(input * kernel * kernel)
            try builder.add("\(name)_w", uniform([out, input, kernel, kernel], bound: (6 / fanIn).squareRoot()))
            try builder.add("\(name)_b", uniform([out], bound: 1 / fanIn.squareRoot()))
        }
        var previous = 1
        for (index, width) in channels.enumerated() {
            try convolution("c\(index + 1)", out: width, in: previous, kernel: 3)
            previous = width
        }
        try convolution("context", out: previous, in: previous, kernel: 3)
        try convolution("evidence", out: 1, in: previous, kernel: 1)
        try builder.add("lesion_cell_weight", .float32([lesionCellWeight], shape: [1]), trainable: false)
        let d = contextDilation
        try builder.define("""
            def logits_and_features(self, x):
                h = torch.relu(torch.conv2d(x, self.c1_w, self.c1_b, [1, 1], [1, 1], [1, 1], 1))
                h = torch.avg_pool2d(h, [2, 2], [2, 2], [0, 0], False, True, None)
                h = torch.relu(torch.conv2d(h, self.c2_w, self.c2_b, [1, 1], [1, 1], [1, 1], 1))
                h = torch.avg_pool2d(h, [2, 2], [2, 2], [0, 0], False, True, None)
                h = torch.relu(torch.conv2d(h, self.c3_w, self.c3_b, [1, 1], [1, 1], [1, 1], 1))
                h = torch.relu(torch.conv2d(h, self.context_w, self.context_b, [1, 1], [\(d), \(d)], [\(d), \(d)], 1))
                h = torch.avg_pool2d(h, [3, 3], [1, 1], [1, 1], False, False, None)
                evidence = torch.conv2d(h, self.evidence_w, self.evidence_b, [1, 1], [0, 0], [1, 1], 1)
                lesion = torch.amax(evidence, [2, 3])
                return torch.cat([torch.zeros_like(lesion), lesion], 1), evidence

            def forward(self, x):
                return torch.softmax(self.logits_and_features(x)[0], 1)

            def loss(self, x, y, cells):
                z, evidence = self.logits_and_features(x)
                classification = -torch.mean(torch.sum(torch.log_softmax(z, 1) * y, 1))
                location = torch.binary_cross_entropy_with_logits(evidence, cells, None, self.lesion_cell_weight, 1)
                return classification + location

            def label_loss(self, x, y):
                z, evidence = self.logits_and_features(x)
                return -torch.mean(torch.sum(torch.log_softmax(z, 1) * y, 1))
            """)
        return try builder.build()
    }

    /// The per-cell training target: the fraction of each `cellSize`×`cellSize` cell inside the
    /// lesion (all zero for a slice without one), `[1, size / cellSize, size / cellSize]`.
    public static func cellTargets(lesion: [Bool]?, size: Int) -> [Float] {
        let cells = size / cellSize
        var target = [Float](repeating: 0, count: cells * cells)
        guard let lesion else { return target }
        let share = 1 / Float(cellSize * cellSize)
        for y in 0..<size where y / cellSize < cells {
            for x in 0..<size where x / cellSize < cells && lesion[y * size + x] {
                target[(y / cellSize) * cells + x / cellSize] += share
            }
        }
        return target
    }
}
