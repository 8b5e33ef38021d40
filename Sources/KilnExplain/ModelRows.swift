import KilnCore
import KilnServing

/// Evaluates planned rows on a loaded tabular model through its scheduler, a chunk at a time:
/// each chunk is one accounted request on the model's compute threads (queue bound, unload
/// guard, metrics), so an explanation competes fairly with inference and never holds more than
/// a chunk of synthetic rows besides the plan.
struct ModelRows: Sendable {
    static let chunkRows = 16_384

    let loaded: LoadedVersion
    let columns: Int

    /// The model's raw output for `rows` (`count × columns` values): `count × outputColumns` numbers.
    func outputs(_ rows: [Float], count: Int) async throws -> (values: [Float], outputColumns: Int) {
        let columns = self.columns
        let output = try await loaded.scheduler.perform((any ModelRuntime).self, rows: count) { runtime in
            try runtime.execute([Tensor.float32(rows, shape: [count, columns])])[0]
        }
        guard output.datatype == .fp32, output.shape.first == count else {
            throw KilnError(.explanationUnsupported, "the model's output is \(output.datatype.rawValue) \(output.shape); explanations need FP32 [rows] or [rows, columns]")
        }
        return (output.float32Values(), count == 0 ? 1 : output.elementCount / count)
    }

    /// Column `target` of the model's output for `total` rows that `rows(range)` produces.
    func column(_ target: Int, total: Int, progress: (@Sendable (Double) async -> Void)? = nil,
                rows: (Range<Int>) -> [Float]) async throws -> [Double] {
        var values: [Double] = []
        values.reserveCapacity(total)
        var start = 0
        while start < total {
            try Task.checkCancellation()
            let end = min(total, start + Self.chunkRows)
            let (output, width) = try await outputs(rows(start..<end), count: end - start)
            guard target < width else {
                throw KilnError.invalidArgument("output column \(target) does not exist; the model has \(width)")
            }
            for row in 0..<(end - start) { values.append(Double(output[row * width + target])) }
            start = end
            await progress?(Double(start) / Double(total))
        }
        return values
    }
}
