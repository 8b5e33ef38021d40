import Foundation

/// De-identification after DICOM PS3.15 Annex E's Basic Application Level Confidentiality
/// Profile: the identifying attributes of Table E.1-1 that a single image can carry are removed,
/// patient name and id replaced by a pseudonym, private attributes dropped, and instance UIDs
/// replaced by new ones (consistently within one `DicomDeidentifier`, so a series stays a series).
/// The file is marked `PatientIdentityRemoved = YES`.
public final class DicomDeidentifier {
    /// Attributes removed wherever they occur (X, Z and D actions of Table E.1-1 for the modules
    /// Kiln accepts; Z/D ones are removed rather than emptied because nothing Kiln does needs them).
    public static let removedAttributes: [DicomTag] = [
        // Patient
        .init(0x0010, 0x0030), .init(0x0010, 0x0032), .init(0x0010, 0x0040), .init(0x0010, 0x0050), .init(0x0010, 0x0101),
        .init(0x0010, 0x1000), .init(0x0010, 0x1001), .init(0x0010, 0x1002), .init(0x0010, 0x1005), .init(0x0010, 0x1010),
        .init(0x0010, 0x1020), .init(0x0010, 0x1030), .init(0x0010, 0x1040), .init(0x0010, 0x1060), .init(0x0010, 0x1090),
        .init(0x0010, 0x2154), .init(0x0010, 0x2160), .init(0x0010, 0x2180), .init(0x0010, 0x21B0), .init(0x0010, 0x21F0),
        .init(0x0010, 0x4000), .init(0x0038, 0x0010), .init(0x0038, 0x0300), .init(0x0038, 0x0400), .init(0x0038, 0x0500),
        // Study, visit and people
        .init(0x0008, 0x0020), .init(0x0008, 0x0021), .init(0x0008, 0x0022), .init(0x0008, 0x0023), .init(0x0008, 0x002A),
        .init(0x0008, 0x0030), .init(0x0008, 0x0031), .init(0x0008, 0x0032), .init(0x0008, 0x0033), .init(0x0008, 0x0050),
        .init(0x0008, 0x0080), .init(0x0008, 0x0081), .init(0x0008, 0x0090), .init(0x0008, 0x0092), .init(0x0008, 0x0094),
        .init(0x0008, 0x0096), .init(0x0008, 0x1010), .init(0x0008, 0x1030), .init(0x0008, 0x103E), .init(0x0008, 0x1040),
        .init(0x0008, 0x1048), .init(0x0008, 0x1050), .init(0x0008, 0x1060), .init(0x0008, 0x1070), .init(0x0008, 0x4000),
        .init(0x0020, 0x0010), .init(0x0020, 0x4000), .init(0x0032, 0x1032), .init(0x0032, 0x1060), .init(0x0040, 0x0244),
        .init(0x0040, 0x0245), .init(0x0040, 0x0253), .init(0x0040, 0x0254), .init(0x0040, 0x0275), .init(0x0040, 0xA730),
        .init(0x0018, 0x1000), .init(0x0018, 0x1030), .init(0x0400, 0x0561), .init(0x0008, 0x0014),
    ]

    /// Instance UIDs that would link the stored copy back to the hospital's records.
    public static let replacedUIDs: [DicomTag] = [
        .init(0x0020, 0x000D), .init(0x0020, 0x000E), .init(0x0008, 0x0018), .init(0x0020, 0x0052),
    ]

    private var uidMap: [String: String] = [:]

    public init() {}

    /// De-identifies `file` in place. `pseudonym` becomes the patient name and id.
    public func apply(to file: DicomFile, pseudonym: String) throws {
        for tag in Self.removedAttributes { file.remove(tag) }
        file.removePrivateAttributes()
        try file.set(.patientName, to: pseudonym)
        try file.set(.patientID, to: pseudonym)
        for tag in Self.replacedUIDs {
            guard let original = file.string(tag), !original.isEmpty else { continue }
            try file.set(tag, to: replacement(for: original))
        }
        try file.set(DicomTag(0x0012, 0x0062), to: "YES")
        try file.set(DicomTag(0x0012, 0x0063), to: "Kiln: DICOM PS3.15 E.1 basic profile")
    }

    /// A fresh UID under the UUID-derived root `2.25` (PS3.5 B.2), the same for the same original.
    private func replacement(for original: String) -> String {
        if let known = uidMap[original] { return known }
        let uuid = UUID().uuid
        let bytes = withUnsafeBytes(of: uuid) { Array($0) }
        let uid = "2.25." + Self.decimal(bytes)
        uidMap[original] = uid
        return uid
    }

    /// The unsigned big-endian integer in `bytes`, in decimal (128 bits do not fit a UInt64).
    public static func decimal(_ bytes: [UInt8]) -> String {
        var digits: [UInt8] = [0]  // little-endian base-10 digits
        for byte in bytes {
            var carry = Int(byte)
            for index in digits.indices {
                let value = Int(digits[index]) * 256 + carry
                digits[index] = UInt8(value % 10)
                carry = value / 10
            }
            while carry > 0 {
                digits.append(UInt8(carry % 10))
                carry /= 10
            }
        }
        while digits.count > 1, digits.last == 0 { digits.removeLast() }
        return String(digits.reversed().map { Character(String($0)) })
    }
}
