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

    /// Column `target` of the model's output for `total` rows that `rows(range)` produces. As
    /// many chunks are in flight as the model has instances (its compute threads).
    func column(_ target: Int, total: Int, progress: (@Sendable (Double) async -> Void)? = nil,
                rows: @escaping @Sendable (Range<Int>) -> [Float]) async throws -> [Double] {
        let chunks = stride(from: 0, to: total, by: Self.chunkRows).map { $0..<min(total, $0 + Self.chunkRows) }
        var values = [Double](repeating: 0, count: total)
        var done = 0
        try await withThrowingTaskGroup(of: (Range<Int>, [Float], Int).self) { group in
            var next = 0
            func submit() {
                let range = chunks[next]
                next += 1
                group.addTask {
                    try Task.checkCancellation()
                    let (output, width) = try await outputs(rows(range), count: range.count)
                    return (range, output, width)
                }
            }
            while next < min(chunks.count, max(1, loaded.config.instances)) { submit() }
            while let (range, output, width) = try await group.next() {
                guard target < width else {
                    throw KilnError.invalidArgument("output column \(target) does not exist; the model has \(width)")
                }
                for (offset, row) in range.enumerated() { values[row] = Double(output[offset * width + target]) }
                done += range.count
                await progress?(Double(done) / Double(total))
                if next < chunks.count { submit() }
            }
        }
        return values
    }
}
