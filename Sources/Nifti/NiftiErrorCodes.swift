import KilnCore

/// The codes of volumes that are not NIfTI-1 (or NIfTI-2), or whose data type or layout Kiln
/// cannot read (an app taking NIfTI registers them, at 422).
extension ErrorCode {
    public static let notNifti = ErrorCode("not_nifti")
    public static let unsupportedNifti = ErrorCode("unsupported_nifti")

    public static let nifti: [ErrorCode] = [.notNifti, .unsupportedNifti]
}
