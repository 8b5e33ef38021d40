import KilnCore

/// The serving front door that REST, async jobs and apps all call: checks a typed request
/// against the model's signature, queues it on the model's scheduler (batching, the queue
/// bound, deadlines, per-model metrics) and selects the outputs.
public struct InferenceService: Sendable {
    public let decoder: InferenceRequestDecoder

    public init(maxElements: Int) {
        self.decoder = InferenceRequestDecoder(maxElements: maxElements)
    }

    /// - Parameter timeout: a deadline from the transport (a header); the request's own
    ///   `parameters.timeout` applies too, and the earlier one wins.
    public func infer(_ loaded: LoadedVersion, body: [UInt8], headerLength: Int?, timeout: Duration? = nil) async throws -> InferenceResponseBody {
        try await infer(loaded, try decoder.decode(body: body, headerLength: headerLength), timeout: timeout).encoded()
    }

    /// - Parameter timeout: a deadline from the caller; the request's own `timeoutMicroseconds`
    ///   applies too, and the earlier one wins.
    public func infer(_ loaded: LoadedVersion, _ request: InferenceRequest, timeout: Duration? = nil) async throws -> InferenceResponse {
        let config = loaded.config
        let inputs = try Self.orderedInputs(request, config: config)
        let selected = try Self.selectedOutputs(request, config: config)
        let batchSize = config.batchLimit > 0 ? (inputs.first?.shape.first ?? 1) : 1
        if config.batchLimit > 0 {
            guard inputs.allSatisfy({ $0.shape.first == batchSize }) else {
                throw KilnError.invalidArgument("all inputs must have the same batch size (first dimension)")
            }
            guard batchSize >= 1, batchSize <= config.batchLimit else {
                throw KilnError.invalidArgument("batch size \(batchSize) is outside 1...\(config.batchLimit) (max_batch_size)")
            }
        }
        let limits = [request.timeoutMicroseconds.map { Duration.microseconds(max(0, $0)) }, timeout].compactMap { $0 }
        let deadline = limits.min().map { ContinuousClock.now + $0 }
        let outputs = try await loaded.scheduler.infer(inputs, batchSize: batchSize, deadline: deadline)
        let chosen = try selected.map { selection in
            let name = config.outputs[selection.index].name
            var tensor = outputs[selection.index]
            if let k = selection.classCount {
                tensor = try Classification.topK(tensor, k: k, labels: config.labels, output: name)
            }
            return InferenceResponse.Output(name: name, tensor: tensor, binary: selection.binary)
        }
        return InferenceResponse(modelName: loaded.name, modelVersion: loaded.version, id: request.id, outputs: chosen)
    }

    /// The request's inputs in the config's order, each checked against its declared datatype and shape.
    public static func orderedInputs(_ request: InferenceRequest, config: ModelConfig) throws -> [Tensor] {
        let declared = Set(config.inputs.map(\.name))
        if let unknown = request.inputs.keys.sorted().first(where: { !declared.contains($0) }) {
            throw KilnError.invalidArgument("unknown input '\(unknown)'; the model takes \(config.inputs.map(\.name))")
        }
        return try config.inputs.map { spec in
            guard let tensor = request.inputs[spec.name] else {
                throw KilnError.invalidArgument("missing input '\(spec.name)'")
            }
            guard tensor.datatype == spec.datatype else {
                throw KilnError.invalidArgument("input '\(spec.name)' must be \(spec.datatype.rawValue), got \(tensor.datatype.rawValue)")
            }
            let matches = tensor.shape.count == spec.shape.count
                && zip(tensor.shape, spec.shape).allSatisfy { actual, expected in expected == -1 || actual == expected }
            guard matches else {
                throw KilnError.invalidArgument("input '\(spec.name)' must have shape \(spec.shape) (-1: any), got \(tensor.shape)")
            }
            return tensor
        }
    }

    static func selectedOutputs(_ request: InferenceRequest, config: ModelConfig) throws -> [(index: Int, binary: Bool, classCount: Int?)] {
        guard let requested = request.outputs, !requested.isEmpty else {
            return config.outputs.indices.map { ($0, request.binaryOutputByDefault, nil) }
        }
        return try requested.map { output in
            guard let index = config.outputs.firstIndex(where: { $0.name == output.name }) else {
                throw KilnError.invalidArgument("unknown output '\(output.name)'; the model returns \(config.outputs.map(\.name))")
            }
            return (index, output.binary || request.binaryOutputByDefault, output.classCount)
        }
    }
}
