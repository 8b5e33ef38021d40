import KilnCore
import Torch

/// The demo MRI segmentation model: a small 3-D U-Net. Two resolution levels below the input
/// (`channels` wide at each), each block two 3×3×3 convolutions with instance normalisation and
/// ReLU, 2×2×2 max pooling down, 2×2×2 transposed convolutions up, skip connections, and a
/// 1×1×1 convolution to one tumour logit per voxel. Instance normalisation needs no running
/// statistics, so training and inference compute the same thing and any grid divisible by 4
/// works (training uses crops of the volumes, inference the whole grid).
///
/// `forward` returns per-voxel tumour probabilities `[batch, 1, D, H, W]`; `loss` is binary
/// cross-entropy plus soft Dice, so the small tumour class is not drowned by the background.
public enum MRISegmentationNetwork {
    public static let channels = [8, 16, 32]

    public static func build(runtime: TorchRuntime, seed: UInt64) throws -> TorchModule {
        var generator = SeededGenerator(state: seed)
        let builder = try TorchModuleBuilder(runtime: runtime, className: "UNet3D")
        // PyTorch's default initialisation of Conv3d/ConvTranspose3d: uniform within ±1/√fan-in.
        func add(_ name: String, _ shape: [Int], outputs: Int, fanIn: Int) throws {
            let bound = 1 / Float(fanIn).squareRoot()
            func uniform(_ count: Int) -> [Float] { (0..<count).map { _ in Float.random(in: -bound...bound, using: &generator) } }
            try builder.add("\(name)_w", .float32(uniform(shape.reduce(1, *)), shape: shape))
            try builder.add("\(name)_b", .float32(uniform(outputs), shape: [outputs]))
        }
        func conv(_ name: String, _ input: Int, _ output: Int, kernel: Int = 3) throws {
            try add(name, [output, input, kernel, kernel, kernel], outputs: output, fanIn: input * kernel * kernel * kernel)
        }
        let (c1, c2, c3) = (channels[0], channels[1], channels[2])
        try conv("enc1a", 1, c1); try conv("enc1b", c1, c1)
        try conv("enc2a", c1, c2); try conv("enc2b", c2, c2)
        try conv("mida", c2, c3); try conv("midb", c3, c3)
        // ConvTranspose3d weights are [in, out, k, k, k]; PyTorch's fan-in for them is out·k³.
        try add("up2", [c3, c2, 2, 2, 2], outputs: c2, fanIn: c2 * 8)
        try conv("dec2a", 2 * c2, c2); try conv("dec2b", c2, c2)
        try add("up1", [c2, c1, 2, 2, 2], outputs: c1, fanIn: c1 * 8)
        try conv("dec1a", 2 * c1, c1); try conv("dec1b", c1, c1)
        try conv("head", c1, 1, kernel: 1)
        try builder.define("""
            def cnr(self, x, w, b):
                h = torch.conv3d(x, w, b, [1, 1, 1], [1, 1, 1], [1, 1, 1], 1)
                return torch.relu(torch.instance_norm(h, None, None, None, None, True, 0.1, 1e-5, False))

            def logits(self, x):
                e1 = self.cnr(self.cnr(x, self.enc1a_w, self.enc1a_b), self.enc1b_w, self.enc1b_b)
                p1 = torch.max_pool3d(e1, [2, 2, 2], [2, 2, 2], [0, 0, 0], [1, 1, 1], False)
                e2 = self.cnr(self.cnr(p1, self.enc2a_w, self.enc2a_b), self.enc2b_w, self.enc2b_b)
                p2 = torch.max_pool3d(e2, [2, 2, 2], [2, 2, 2], [0, 0, 0], [1, 1, 1], False)
                m = self.cnr(self.cnr(p2, self.mida_w, self.mida_b), self.midb_w, self.midb_b)
                u2 = torch.conv_transpose3d(m, self.up2_w, self.up2_b, [2, 2, 2], [0, 0, 0], [0, 0, 0], 1, [1, 1, 1])
                d2 = self.cnr(self.cnr(torch.cat([u2, e2], 1), self.dec2a_w, self.dec2a_b), self.dec2b_w, self.dec2b_b)
                u1 = torch.conv_transpose3d(d2, self.up1_w, self.up1_b, [2, 2, 2], [0, 0, 0], [0, 0, 0], 1, [1, 1, 1])
                d1 = self.cnr(self.cnr(torch.cat([u1, e1], 1), self.dec1a_w, self.dec1a_b), self.dec1b_w, self.dec1b_b)
                return torch.conv3d(d1, self.head_w, self.head_b, [1, 1, 1], [0, 0, 0], [1, 1, 1], 1)

            def forward(self, x):
                return torch.sigmoid(self.logits(x))

            def loss(self, x, y):
                z = self.logits(x)
                bce = torch.binary_cross_entropy_with_logits(z, y, None, None, 1)
                p = torch.sigmoid(z)
                dice = 1.0 - (2.0 * torch.sum(p * y) + 1.0) / (torch.sum(p) + torch.sum(y) + 1.0)
                return bce + dice
            """)
        return try builder.build()
    }
}
