import KilnCore
import Torch

/// The demo CT classifier: three 3×3 convolutions (8, 16, 32 channels; ReLU; 2×2 average
/// pooling after the first two — max-pooling taught the features to fire on lesion rims, which
/// put Grad-CAM's peak beside the lesion more often), global max pooling (a lesion is small: averaging would drown it) and a linear layer to two logits (no lesion,
/// lesion). Input: `[batch, 1, 128, 128]` windowed slices in 0…1.
///
/// Besides `forward` (class probabilities) the module has `logits_and_features`, returning the
/// logits and the last convolution's 32×32 feature map: the method Kiln's Grad-CAM asks for.
/// Parameters are initialised as PyTorch initialises `nn.Conv2d`/`nn.Linear` (uniform within
/// ±1/√fan-in), from a seeded generator.
enum CTClassifierNetwork {
    static let inputSize = 128
    static let gradCAMMethod = "logits_and_features"
    static let channels = [8, 16, 32]

    static func build(runtime: TorchRuntime, seed: UInt64) throws -> TorchModule {
        var generator = SeededGenerator(state: seed)
        func uniform(_ shape: [Int], fanIn: Int) -> Tensor {
            let bound = 1 / Float(fanIn).squareRoot()
            let count = shape.reduce(1, *)
            return .float32((0..<count).map { _ in Float.random(in: -bound...bound, using: &generator) }, shape: shape)
        }
        let builder = try TorchModuleBuilder(runtime: runtime, className: "CTClassifier")
        var previous = 1
        for (index, width) in channels.enumerated() {
            try builder.add("c\(index + 1)_w", uniform([width, previous, 3, 3], fanIn: previous * 9))
            try builder.add("c\(index + 1)_b", uniform([width], fanIn: previous * 9))
            previous = width
        }
        try builder.add("fc_w", uniform([2, previous], fanIn: previous))
        try builder.add("fc_b", uniform([2], fanIn: previous))
        try builder.define("""
            def logits_and_features(self, x):
                h = torch.relu(torch.conv2d(x, self.c1_w, self.c1_b, [1, 1], [1, 1], [1, 1], 1))
                h = torch.avg_pool2d(h, [2, 2], [2, 2], [0, 0], False, True, None)
                h = torch.relu(torch.conv2d(h, self.c2_w, self.c2_b, [1, 1], [1, 1], [1, 1], 1))
                h = torch.avg_pool2d(h, [2, 2], [2, 2], [0, 0], False, True, None)
                f = torch.relu(torch.conv2d(h, self.c3_w, self.c3_b, [1, 1], [1, 1], [1, 1], 1))
                z = torch.addmm(self.fc_b, torch.amax(f, [2, 3]), self.fc_w.t())
                return z, f

            def forward(self, x):
                return torch.softmax(self.logits_and_features(x)[0], 1)

            def loss(self, x, y):
                z = self.logits_and_features(x)[0]
                return -torch.mean(torch.sum(torch.log_softmax(z, 1) * y, 1))
            """)
        return try builder.build()
    }
}
