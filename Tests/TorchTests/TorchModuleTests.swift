import Foundation
import KilnCore
import Testing
import Torch

/// The example models and the outputs Debian's python3-torch computed for their sample inputs
/// (scripts/make-example-models.py).
struct Sample: Decodable {
    struct TensorJSON: Decodable {
        var name: String
        var datatype: String
        var shape: [Int]
        var data: [Double]
    }
    var inputs: [TensorJSON]
    var outputs: [TensorJSON]

    static let models = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../examples/models").standardizedFileURL

    static func load(_ model: String) throws -> Sample {
        try JSONDecoder().decode(Sample.self, from: Data(contentsOf: models.appendingPathComponent("\(model)/sample.json")))
    }
}

extension Sample.TensorJSON {
    var tensor: Tensor { Tensor.float32(data.map(Float.init), shape: shape) }
}

@Suite(.serialized) struct TorchModuleTests {
    static let runtime = Result { try TorchRuntime() }

    @Test func runtimeReportsVersionAndThreads() throws {
        let runtime = try Self.runtime.get()
        #expect(runtime.version.hasPrefix("1.13"))
        runtime.threads = 2
        #expect(runtime.threads == 2)
        #expect(runtime.matmulGFLOPS(size: 128, iterations: 2) > 0)
    }

    @Test(arguments: ["tabular_mlp", "untrained_ct_cnn"])
    func matchesPyTorch(model: String) throws {
        let runtime = try Self.runtime.get()
        let module = try runtime.loadModule(path: Sample.models.appendingPathComponent("\(model)/1/model.pt").path)
        #expect(module.arity == 1)
        let sample = try Sample.load(model)
        let outputs = try module.forward(sample.inputs.map(\.tensor))
        #expect(outputs.count == 1)
        #expect(outputs[0].shape == sample.outputs[0].shape)
        for (actual, expected) in zip(outputs[0].float32Values(), sample.outputs[0].data) {
            #expect(abs(Double(actual) - expected) <= 1e-5)
        }
    }

    @Test func twoInputsTwoOutputsWithMixedTypes() throws {
        let runtime = try Self.runtime.get()
        let module = try runtime.loadModule(path: Sample.models.appendingPathComponent("two_io/1/model.pt").path)
        #expect(module.arity == 2)
        let sample = try Sample.load("two_io")
        let outputs = try module.forward(sample.inputs.map(\.tensor))
        #expect(outputs.map(\.datatype) == [.fp32, .int64])
        #expect(outputs[1].shape == [2, 1])
        let sums = outputs[1].storage.withUnsafeBytes { Array($0.bindMemory(to: Int64.self)) }
        #expect(sums.map(Double.init) == sample.outputs[1].data)
    }

    @Test func errorsComeBackAsSwiftErrors() throws {
        let runtime = try Self.runtime.get()
        let module = try runtime.loadModule(path: Sample.models.appendingPathComponent("tabular_mlp/1/model.pt").path)
        #expect(throws: TorchError.self) { try module.forward([Tensor.float32([1, 2, 3], shape: [1, 3])]) }
        #expect(throws: TorchError.self) { try module.forward([]) }
        let garbage = FileManager.default.temporaryDirectory.appendingPathComponent("garbage-\(UUID().uuidString).pt")
        try Data("not a zip archive".utf8).write(to: garbage)
        defer { try? FileManager.default.removeItem(at: garbage) }
        #expect(throws: KilnError.self) { try runtime.loadModule(path: garbage.path) }
        #expect(throws: KilnError.self) { try runtime.loadModule(path: "/nonexistent/model.pt") }
        // The module still works after the failures.
        #expect(try module.forward([Tensor.float32([Float](repeating: 0, count: 30), shape: [1, 30])]).count == 1)
    }
}
