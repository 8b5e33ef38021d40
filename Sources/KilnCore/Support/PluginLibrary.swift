import Foundation

/// A C++ engine built as a plugin (libtorch, DCMTK): a shared library opened with dlopen on first
/// use that exports one function returning its C function table.
public enum PluginLibrary {
    /// Opens `path` and returns the address of `symbol`. The library stays loaded for the life of
    /// the process (its table is referenced from then on).
    public static func open(_ path: String, symbol: String, describedAs name: String) throws -> UnsafeMutableRawPointer {
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown error"
            throw KilnError(.unavailable, "cannot load the \(name) plugin \(path): \(reason)")
        }
        guard let address = dlsym(handle, symbol) else {
            dlclose(handle)
            throw KilnError(.unavailable, "\(path) is not Kiln's \(name) plugin (no \(symbol))")
        }
        return address
    }
}
