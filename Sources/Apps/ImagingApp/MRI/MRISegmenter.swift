import Foundation
import ImageCodec
import KilnCore
import KilnML
import KilnServing
import Torch

/// How a segmentation model wants its volumes, from `config.json`: `metadata.preprocessing.grid`
/// (x, y, z voxels the volume is resampled to; each divisible by 4), `metadata.threshold` on the
/// tumour probability, `metadata.min_component_fraction` (lesion components smaller than this
/// fraction of the volume's voxels are dropped as specks), and `labels` (background first).
public struct MRIPreprocessing: Sendable {
    public var grid: [Int]
    public var threshold: Float
    public var minComponentFraction: Double
    public var labels: [String]

    public init(grid: [Int] = ImagingModels.mriGrid, threshold: Float = 0.5, minComponentFraction: Double = 1e-4, labels: [String] = ImagingModels.mriLabels) {
        self.grid = grid
        self.threshold = threshold
        self.minComponentFraction = minComponentFraction
        self.labels = labels
    }

    public init(config: ModelConfig) throws {
        self.init()
        let metadata = config.metadata ?? [:]
        if case .object(let preprocessing)? = metadata["preprocessing"], case .array(let values)? = preprocessing["grid"] {
            let grid = values.compactMap { value -> Int? in if case .number(let n) = value { Int(n) } else { nil } }
            guard grid.count == 3, grid.allSatisfy({ $0 > 0 && $0 % 4 == 0 }) else {
                throw KilnError.invalidArgument("the model's metadata.preprocessing.grid must be three positive multiples of 4")
            }
            self.grid = grid
        }
        if case .number(let threshold)? = metadata["threshold"] { self.threshold = Float(threshold) }
        if case .number(let fraction)? = metadata["min_component_fraction"] { minComponentFraction = max(0, fraction) }
        if let labels = config.labels, labels.count >= 2 { self.labels = labels }
    }
}

/// Segments a volume whose intensities are normalised by quantiles (`normalisedByQuantiles`):
/// resampled to the model's grid, the network's tumour probabilities resampled back onto the
/// input's own grid, then thresholded.
/// The mask therefore has the input's geometry whatever its size or spacing. Lesion components
/// (6-connected) below the model's minimum size are removed.
public enum MRISegmenter {
    public static func segment(normalised image: FloatVolume, module: TorchModule, preprocessing: MRIPreprocessing) throws -> [UInt8] {
        let grid = preprocessing.grid
        let input = image.resampled(to: grid)
        let output = try module.forward([.float32(input.values, shape: [1, 1, grid[2], grid[1], grid[0]])])
        let values = output.first?.float32Values() ?? []
        guard values.count == input.values.count else {
            throw KilnError.invalidArgument("the model returned \(values.count) values for a \(grid) grid; it must return one probability per voxel")
        }
        let native = FloatVolume(dimensions: grid, values: values).resampled(to: image.dimensions)
        let mask: [UInt8] = native.values.map { $0 >= preprocessing.threshold ? 1 : 0 }
        return removingSmallComponents(mask, dimensions: image.dimensions, minimum: Int((preprocessing.minComponentFraction * Double(mask.count)).rounded(.up)))
    }

    /// `mask` without its 6-connected foreground components of fewer than `minimum` voxels.
    public static func removingSmallComponents(_ mask: [UInt8], dimensions: [Int], minimum: Int) -> [UInt8] {
        guard minimum > 1 else { return mask }
        let (nx, ny, nz) = (dimensions[0], dimensions[1], dimensions[2])
        var output = mask
        var visited = [Bool](repeating: false, count: mask.count)
        var stack: [Int] = [], component: [Int] = []
        for seed in mask.indices where mask[seed] > 0 && !visited[seed] {
            visited[seed] = true
            stack.append(seed)
            component.removeAll(keepingCapacity: true)
            while let index = stack.popLast() {
                component.append(index)
                let x = index % nx, y = (index / nx) % ny, z = index / (nx * ny)
                for (ok, neighbour) in [(x > 0, index - 1), (x < nx - 1, index + 1), (y > 0, index - nx), (y < ny - 1, index + nx),
                                        (z > 0, index - nx * ny), (z < nz - 1, index + nx * ny)]
                where ok && mask[neighbour] > 0 && !visited[neighbour] {
                    visited[neighbour] = true
                    stack.append(neighbour)
                }
            }
            if component.count < minimum { for index in component { output[index] = 0 } }
        }
        return output
    }

    /// Sørensen–Dice coefficient of two binary masks (1 when both are empty).
    public static func dice(_ a: [UInt8], _ b: [UInt8]) -> Double {
        var both = 0, total = 0
        for index in a.indices {
            let x = a[index] > 0, y = b[index] > 0
            if x && y { both += 1 }
            total += (x ? 1 : 0) + (y ? 1 : 0)
        }
        return total == 0 ? 1 : 2 * Double(both) / Double(total)
    }
}

/// Counts, volumes and the lesion's extent from a label mask.
public struct MaskStatistics {
    public struct BoundingBox {
        /// Inclusive voxel indices (x, y, z).
        public var min: [Int]
        public var max: [Int]
    }

    public var counts: [Int]
    public var box: BoundingBox?
    /// The axial slice (z) through the most lesion voxels, nil without a lesion.
    public var busiestSlice: Int?

    public init(labels: [UInt8], dimensions: [Int], labelCount: Int) {
        counts = [Int](repeating: 0, count: max(labelCount, Int(labels.max() ?? 0) + 1))
        var low = [Int.max, Int.max, Int.max], high = [-1, -1, -1]
        var perSlice = [Int](repeating: 0, count: dimensions[2])
        var index = 0
        for z in 0..<dimensions[2] {
            for y in 0..<dimensions[1] {
                for x in 0..<dimensions[0] {
                    let label = Int(labels[index])
                    counts[label] += 1
                    if label > 0 {
                        low = [Swift.min(low[0], x), Swift.min(low[1], y), Swift.min(low[2], z)]
                        high = [Swift.max(high[0], x), Swift.max(high[1], y), Swift.max(high[2], z)]
                        perSlice[z] += 1
                    }
                    index += 1
                }
            }
        }
        box = high[0] >= 0 ? BoundingBox(min: low, max: high) : nil
        busiestSlice = box == nil ? nil : perSlice.indices.max { perSlice[$0] < perSlice[$1] }
    }
}

/// The preview: one axial slice in grey with the mask's outline in red, drawn with +y upwards
/// and enlarged (nearest neighbour) to at least 256 pixels across.
public enum SegmentationPreview {
    /// - Parameter normalised: intensities in 0…1.
    public static func png(normalised: FloatVolume, labels: [UInt8], slice z: Int) throws -> Data {
        let (nx, ny) = (normalised.dimensions[0], normalised.dimensions[1])
        let scale = max(1, 256 / max(nx, ny))
        let (width, height) = (nx * scale, ny * scale)
        func label(_ x: Int, _ y: Int) -> UInt8 { x < 0 || y < 0 || x >= nx || y >= ny ? 0 : labels[(z * ny + y) * nx + x] }
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for row in 0..<height {
            let y = ny - 1 - row / scale
            for column in 0..<width {
                let x = column / scale
                let grey = UInt8(max(0, min(255, normalised[x, y, z] * 255)))
                let inside = label(x, y) > 0
                let edge = inside && (label(x - 1, y) == 0 || label(x + 1, y) == 0 || label(x, y - 1) == 0 || label(x, y + 1) == 0)
                let offset = (row * width + column) * 3
                pixels[offset] = edge ? 255 : grey
                pixels[offset + 1] = edge ? 40 : grey
                pixels[offset + 2] = edge ? 40 : grey
            }
        }
        return try ImageCodec.png(pixels: pixels, width: width, height: height, channels: 3)
    }
}
