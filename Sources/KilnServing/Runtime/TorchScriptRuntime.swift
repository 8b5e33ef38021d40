import KilnCore
import Torch

/// TorchScript through the libtorch plugin: inputs map to `forward`'s arguments by position,
/// and the returned tensor or tuple maps to the config's outputs by position.
public struct TorchScriptRuntime: ModelRuntime {
    public let module: TorchModule
    let outputCount: Int

    init(module: TorchModule, config: ModelConfig) throws {
        guard module.arity == config.inputs.count else {
            throw KilnError.invalidArgument(
                "forward takes \(module.arity) argument(s) but config.json declares \(config.inputs.count) input(s)")
        }
        self.module = module
        self.outputCount = config.outputs.count
    }

    public func execute(_ inputs: [Tensor]) throws -> [Tensor] {
        let outputs: [Tensor]
        do {
            outputs = try module.forward(inputs)
        } catch let error as TorchError {
            throw KilnError.invalidArgument("the model rejected the input: \(error.message)")
        }
        guard outputs.count >= outputCount else {
            throw KilnError(.internal, "the model returned \(outputs.count) tensor(s); config.json declares \(outputCount)")
        }
        return Array(outputs.prefix(outputCount))
    }
}
