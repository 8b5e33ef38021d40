import KilnCore

/// The DCMTK plugin, loaded the first time a DICOM file arrives (a server that never sees one
/// never loads DCMTK).
public final class DicomEngine: Sendable {
    private let runtime = LoadedOnce<DicomRuntime>()
    private let libraryPath: String?

    public init(libraryPath: String? = nil) {
        self.libraryPath = libraryPath
    }

    public func get() throws -> DicomRuntime {
        try runtime.get { try DicomRuntime(libraryPath: libraryPath) }
    }
}
