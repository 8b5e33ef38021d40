import Foundation

/// Files Kiln installs next to its executable (the libtorch plugin, the PDF renderer): SwiftPM
/// builds them into the same folder, and a packaged install keeps them together.
public enum InstalledFile {
    /// `$variable` when set and non-empty, else `name` in the folder of the running executable.
    public static func path(_ name: String, overriddenBy variable: String) -> String {
        if let configured = ProcessInfo.processInfo.environment[variable], !configured.isEmpty { return configured }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent(name).path
    }
}
