import Foundation
import KilnCore
import Testing
import Torch

@Suite(.serialized) struct TorchTrainingTests {
    /// y = 1 when 2·x0 − x1 > 0: a module built from source learns it, and the saved file
    /// answers like the module it was saved from.
    @Test func buildsTrainsAndSavesAModule() throws {
        let runtime = try TorchModuleTests.runtime.get()
        runtime.manualSeed(1)
        let builder = try TorchModuleBuilder(runtime: runtime, className: "Logistic")
        try builder.add("weight", .float32([0, 0], shape: [2, 1]))
        try builder.add("bias", .float32([0], shape: [1]))
        try builder.add("scale", .float32([1], shape: [1]), trainable: false)
        try builder.define("""
            def logits(self, x):
                return torch.matmul(x * self.scale, self.weight).squeeze(1) + self.bias
            def forward(self, x):
                return torch.sigmoid(self.logits(x))
            def loss(self, x, y):
                return torch.binary_cross_entropy_with_logits(self.logits(x), y, None, None, 1)
            """)
        let module = try builder.build()
        var generator = SeededGenerator(state: 3)
        var xs: [Float] = [], ys: [Float] = []
        for _ in 0..<256 {
            let a = Float.random(in: -1...1, using: &generator), b = Float.random(in: -1...1, using: &generator)
            xs += [a, b]
            ys.append(2 * a - b > 0 ? 1 : 0)
        }
        let x = Tensor.float32(xs, shape: [256, 2]), y = Tensor.float32(ys, shape: [256])
        let adam = try TorchAdam(module: module, learningRate: 0.1)
        let first = try adam.step([x, y])
        var last = first
        for _ in 0..<200 { last = try adam.step([x, y]) }
        #expect(first > 0.69 && first < 0.70)  // log 2 at zero weights
        #expect(last < 0.15)
        module.setTraining(false)
        let predicted = try module.forward([x])[0].float32Values()
        let accuracy = zip(predicted, ys).filter { ($0 > 0.5) == ($1 == 1) }.count
        #expect(accuracy >= 250)

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-logistic-\(UUID()).pt")
        defer { try? FileManager.default.removeItem(at: file) }
        try module.save(to: file.path)
        let loaded = try runtime.loadModule(path: file.path)
        #expect(try loaded.forward([x])[0].float32Values() == predicted)
    }

    @Test func reportsCompileAndRuntimeErrors() throws {
        let runtime = try TorchModuleTests.runtime.get()
        let builder = try TorchModuleBuilder(runtime: runtime, className: "Broken")
        #expect(throws: KilnError.self) { try builder.define("def forward(self, x):\n    return undefined_name(x)\n") }
        #expect(throws: KilnError.self) { try builder.build() }
        let working = try TorchModuleBuilder(runtime: runtime, className: "Reshape")
        try working.define("def forward(self, x):\n    return x.view(3)\n")
        let module = try working.build()
        #expect(throws: TorchError.self) { try module.forward([.float32([1, 2], shape: [2])]) }
    }
}

/// The gradient behind Grad-CAM and saliency maps, checked against values worked out by hand.
@Suite(.serialized) struct TorchClassGradientTests {
    /// logits = [Σ w·f, 0] with f = 2·x: d logit0 / d f = w, d logit0 / d x = 2·w.
    func module() throws -> TorchModule {
        let runtime = try TorchModuleTests.runtime.get()
        let builder = try TorchModuleBuilder(runtime: runtime, className: "Linear")
        try builder.add("w", .float32([1, -2, 3, 4], shape: [1, 1, 2, 2]))
        try builder.define("""
            def logits_and_features(self, x):
                f = x * 2.0
                s = torch.sum(f * self.w, [1, 2, 3]).unsqueeze(1)
                return torch.cat([s, torch.zeros_like(s)], 1), f
            def forward(self, x):
                return self.logits_and_features(x)[0]
            """)
        let module = try builder.build()
        module.setTraining(false)
        return module
    }

    @Test func gradientWithRespectToTheFeatureMap() throws {
        let module = try module()
        #expect(module.hasMethod("logits_and_features") && !module.hasMethod("missing"))
        let input = Tensor.float32([1, 1, 1, 1], shape: [1, 1, 2, 2])
        let result = try module.classGradient(method: "logits_and_features", input: input, classIndex: 0)
        #expect(result.logits.float32Values() == [12, 0])
        #expect(result.target.float32Values() == [2, 2, 2, 2])
        #expect(result.gradient.float32Values() == [1, -2, 3, 4])
    }

    @Test func gradientWithRespectToTheInputWhenOnlyLogitsComeBack() throws {
        let module = try module()
        let result = try module.classGradient(method: "forward", input: .float32([1, 1, 1, 1], shape: [1, 1, 2, 2]))
        #expect(result.gradient.float32Values() == [2, -4, 6, 8])  // arg-max is class 0 (12 > 0)
        #expect(throws: TorchError.self) { try module.classGradient(method: "forward", input: .float32([1, 1, 1, 1], shape: [1, 1, 2, 2]), classIndex: 5) }
    }
}
