import Dicom
import Foundation
import ImageCodec
import KilnCore
import KilnML
import KilnServing

/// An uploaded slice, decoded and windowed: what the classifier and the overlay start from.
struct CTSlice {
    /// Windowed to 0…1 at the file's own resolution.
    var display: FloatImage
    /// `dicom`, `png` or `jpeg`.
    var kind: String
    /// What the file says about itself (no identifying attributes).
    var facts: [String: JSONValue]
    /// The bytes to keep: the de-identified DICOM file, or the image as uploaded.
    var stored: Data
}

/// Turns an upload (DICOM, PNG or JPEG) into a `CTSlice`.
struct CTInputDecoder {
    let dicom: DicomEngine
    /// Keep DICOM files as uploaded instead of de-identified (`imaging_store_identified`).
    var keepIdentifiers: Bool

    func decode(_ bytes: Data, window requested: DisplayWindow?, modelWindow: DisplayWindow, frame: Int?, pseudonym: String) throws -> CTSlice {
        if ImageCodec.isPNGOrJPEG(bytes) {
            let image = try ImageCodec.decodeGray(bytes)
            // A PNG/JPEG slice is already a displayed (windowed) image.
            return CTSlice(
                display: FloatImage(width: image.width, height: image.height, values: image.pixels.map { Float($0) / 255 }),
                kind: bytes.first == 0x89 ? "png" : "jpeg",
                facts: ["modality": .null, "rows": .int(image.height), "columns": .int(image.width), "pixel_spacing_mm": .null,
                        "window": .null, "note": "8-bit image: used as displayed, no window applied"],
                stored: bytes)
        }
        let file: DicomFile
        do {
            file = try dicom.get().read(bytes)
        } catch let error as KilnError where error.code == .notDicom {
            throw KilnError(.notDicom, "the file is neither DICOM nor a PNG/JPEG image: \(error.message)")
        }
        let info = try file.imageInfo()
        let index = frame ?? info.frames / 2
        guard (0..<info.frames).contains(index) else {
            throw KilnError.invalidArgument("frame \(index) is out of range: the file has \(info.frames) frame(s), numbered from 0")
        }
        let values = try file.decodeFrame(index)
        let modality = file.string(.modality) ?? ""
        let window = requested ?? (modality == "CT" ? modelWindow : Self.storedWindow(file) ?? Self.fullRange(values))
        let display = FloatImage(width: info.columns, height: info.rows, values: window.apply(values, invert: info.invertsForDisplay))
        let spacing = file.numbers(.pixelSpacing)
        var windowFacts: [String: JSONValue] = ["center": .number(window.center), "width": .number(window.width)]
        if let name = window.name { windowFacts["name"] = .string(name) }
        let facts: [String: JSONValue] = [
            "modality": modality.isEmpty ? .null : .string(modality),
            "rows": .int(info.rows), "columns": .int(info.columns),
            "pixel_spacing_mm": spacing.count == 2 ? .array(spacing.map(JSONValue.number)) : .null,
            "frames": .int(info.frames), "frame": .int(index),
            "photometric_interpretation": .string(info.photometricInterpretation),
            "inverted": .bool(info.invertsForDisplay),
            "transfer_syntax": .string(info.transferSyntaxName),
            "window": .object(windowFacts),
        ]
        return CTSlice(display: display, kind: "dicom", facts: facts, stored: try storedCopy(of: file, original: bytes, pseudonym: pseudonym))
    }

    /// The de-identified file (PS3.15 basic profile), written in its original transfer syntax.
    private func storedCopy(of file: DicomFile, original: Data, pseudonym: String) throws -> Data {
        if keepIdentifiers { return original }
        try DicomDeidentifier().apply(to: file, pseudonym: pseudonym)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-deid-\(UUID().uuidString).dcm")
        defer { try? FileManager.default.removeItem(at: path) }
        try file.save(to: path.path)
        return try Data(contentsOf: path)
    }

    /// The window the file recommends (first of several), if any.
    static func storedWindow(_ file: DicomFile) -> DisplayWindow? {
        guard let center = file.numbers(.windowCenter).first, let width = file.numbers(.windowWidth).first, width > 0 else { return nil }
        return DisplayWindow(center: center, width: width, name: "from file")
    }

    /// Minimum to maximum, for images that recommend no window.
    static func fullRange(_ values: [Float]) -> DisplayWindow {
        let low = Double(values.min() ?? 0), high = Double(values.max() ?? 1)
        return DisplayWindow(center: (low + high) / 2, width: max(high - low, 1), name: "full range")
    }
}

/// A stored CT input (the de-identified DICOM file or the PNG/JPEG as uploaded) turned back
/// into what the classifier saw: for retraining on reviewed predictions.
public enum CTStoredInput {
    /// - Parameters:
    ///   - output: the archived answer; its `input.window` is the window the slice was read with.
    public static func modelInput(_ stored: Data, config: ModelConfig, output: JSONValue, dicom: DicomEngine) throws -> FloatImage {
        let preprocessing = CTPreprocessing(config: config)
        var window: DisplayWindow?
        if case .object(let answer) = output, case .object(let input)? = answer["input"], case .object(let used)? = input["window"],
           case .number(let center)? = used["center"], case .number(let width)? = used["width"], width > 0 {
            window = DisplayWindow(center: center, width: width, name: nil)
        }
        let slice = try CTInputDecoder(dicom: dicom, keepIdentifiers: true)
            .decode(stored, window: window, modelWindow: preprocessing.window, frame: nil, pseudonym: "KILN-RETRAIN")
        return slice.display.resized(width: preprocessing.width, height: preprocessing.height)
    }
}
