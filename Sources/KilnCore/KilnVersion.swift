/// Kiln's release version, printed by `kiln version` and sent in the `Server` header.
public enum KilnVersion {
    public static let current = "0.1.0"
}
