import KilnCore

/// Joining requests into one batch along dimension 0, and splitting the results back.
enum InferenceBatch {
    /// Concatenates each input across requests. All requests have the same inputs (validated
    /// before queueing) and equal non-batch dimensions; the batch dimension is summed.
    static func concatenate(_ requests: [[Tensor]]) throws -> [Tensor] {
        guard let first = requests.first else { return [] }
        if requests.count == 1 { return first }
        return try first.indices.map { index in
            var tensor = first[index]
            var storage = [UInt8]()
            storage.reserveCapacity(requests.reduce(0) { $0 + $1[index].storage.count })
            var rows = 0
            for request in requests {
                let part = request[index]
                guard part.datatype == tensor.datatype, Array(part.shape.dropFirst()) == Array(tensor.shape.dropFirst()) else {
                    throw KilnError.invalidArgument("requests in one batch have different shapes")
                }
                storage.append(contentsOf: part.storage)
                rows += part.shape.first ?? 1
            }
            tensor.shape[0] = rows
            tensor.storage = storage
            return tensor
        }
    }

    /// Splits each output back into one piece per request, by the requests' batch sizes.
    static func split(_ outputs: [Tensor], sizes: [Int]) throws -> [[Tensor]] {
        if sizes.count == 1 { return [outputs] }
        let total = sizes.reduce(0, +)
        var pieces = Array(repeating: [Tensor](), count: sizes.count)
        for output in outputs {
            guard output.shape.first == total, output.datatype != .bytes else {
                throw KilnError(.internal, "the model returned a first dimension of \(output.shape.first ?? 0) for a batch of \(total)")
            }
            let rowBytes = total == 0 ? 0 : output.storage.count / total
            var offset = 0
            for (index, size) in sizes.enumerated() {
                var piece = output
                piece.shape[0] = size
                piece.storage = Array(output.storage[offset..<(offset + size * rowBytes)])
                offset += size * rowBytes
                pieces[index].append(piece)
            }
        }
        return pieces
    }
}
