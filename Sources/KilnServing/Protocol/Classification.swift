import KilnCore

/// Triton's classification extension: the top k scores of each row as BYTES elements
/// `"score:index"` or, when the model has labels, `"score:index:label"`.
enum Classification {
    static func topK(_ scores: Tensor, k: Int, labels: [String]?, output: String) throws -> Tensor {
        guard scores.datatype == .fp32 || scores.datatype == .fp64 else {
            throw KilnError.invalidArgument("classification needs a floating-point output; '\(output)' is \(scores.datatype.rawValue)")
        }
        guard let classes = scores.shape.last, classes > 0, k >= 1 else {
            throw KilnError.invalidArgument("classification count must be at least 1")
        }
        let values: [Double] = scores.datatype == .fp32
            ? scores.float32Values().map(Double.init)
            : scores.storage.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
        let rows = values.count / classes
        let count = min(k, classes)
        var storage: [UInt8] = []
        for row in 0..<rows {
            let slice = values[(row * classes)..<((row + 1) * classes)]
            let ranked = slice.indices.sorted { slice[$0] > slice[$1] || (slice[$0] == slice[$1] && $0 < $1) }.prefix(count)
            for index in ranked {
                let classIndex = index - row * classes
                var text = "\(Float(slice[index])):\(classIndex)"
                if let labels, classIndex < labels.count { text += ":\(labels[classIndex])" }
                withUnsafeBytes(of: UInt32(text.utf8.count).littleEndian) { storage.append(contentsOf: $0) }
                storage.append(contentsOf: text.utf8)
            }
        }
        let shape = scores.shape.count > 1 ? Array(scores.shape.dropLast()) + [count] : [count]
        return Tensor(datatype: .bytes, shape: shape, storage: storage)
    }
}
