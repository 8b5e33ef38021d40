import KilnCore

extension ErrorCode {
    /// An uploaded zip that cannot be read (an app taking zips registers it, at 422).
    public static let invalidZip = ErrorCode("invalid_zip")
}
