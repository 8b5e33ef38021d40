import KilnCore

/// The imaging app's section of the config (`imaging_*` keys).
public struct ImagingSettings: ConfigSection {
    /// Store uploaded DICOM files as they came, with patient identifiers, instead of
    /// de-identified (only where the operator's data protection rules allow it).
    public var storeIdentifiedDICOM = false

    public init() {}

    public static let settings: [ConfigSetting] = [
        .section("imaging_store_identified", "Store uploaded DICOM files with their patient identifiers instead of de-identified (default false).") {
            (section: inout ImagingSettings, value) in section.storeIdentifiedDICOM = try ConfigSetting.boolean(value)
        },
    ]
}
