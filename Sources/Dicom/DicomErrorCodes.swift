import KilnCore

/// The codes of DICOM uploads that are well-formed HTTP but cannot be used (an app serving
/// DICOM registers them, at 422).
extension ErrorCode {
    /// Not DICOM at all.
    public static let notDicom = ErrorCode("not_dicom")
    /// Cut short.
    public static let truncatedDicom = ErrorCode("dicom_truncated")
    /// In a transfer syntax no codec decodes.
    public static let unsupportedTransferSyntax = ErrorCode("unsupported_transfer_syntax")
    /// A zip that does not hold one usable DICOM series.
    public static let invalidDicomSeries = ErrorCode("invalid_dicom_series")

    public static let dicom: [ErrorCode] = [.notDicom, .truncatedDicom, .unsupportedTransferSyntax, .invalidDicomSeries]
}
