import Foundation

/// A CT display window: values `center ± width/2` map onto 0…1, below and above are clipped.
public struct DisplayWindow: Sendable, Equatable, CustomStringConvertible {
    public var center: Double
    public var width: Double
    /// The preset's name when one was asked for.
    public var name: String?

    public init(center: Double, width: Double, name: String? = nil) {
        self.center = center
        self.width = width
        self.name = name
    }

    /// Common radiology presets, in Hounsfield units.
    public static let presets: [String: DisplayWindow] = [
        "brain": DisplayWindow(center: 40, width: 80, name: "brain"),
        "lung": DisplayWindow(center: -600, width: 1500, name: "lung"),
        "abdomen": DisplayWindow(center: 40, width: 400, name: "abdomen"),
        "bone": DisplayWindow(center: 400, width: 1800, name: "bone"),
    ]

    /// A preset name or `center,width`; nil when neither (or the width is not positive).
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        if let preset = Self.presets[trimmed] {
            self = preset
            return
        }
        let parts = trimmed.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let center = parts[0], let width = parts[1], center.isFinite, width.isFinite, width > 0 else { return nil }
        self.init(center: center, width: width)
    }

    public var description: String { name ?? "\(center),\(width)" }

    /// Maps modality values onto 0…1; `invert` for MONOCHROME1 data (bright stored as low).
    public func apply(_ values: [Float], invert: Bool = false) -> [Float] {
        let low = Float(center - width / 2), scale = Float(1 / width)
        return values.map { value in
            let level = min(1, max(0, (value - low) * scale))
            return invert ? 1 - level : level
        }
    }
}
