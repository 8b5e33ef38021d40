import Foundation
import Synchronization

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

/// A value loaded on first use and kept (an engine plugin, a shared library): the first
/// caller loads it under the lock, later callers get the same one. A failed load is retried.
public final class LoadedOnce<Value: Sendable>: Sendable {
    private let value = Mutex<Value?>(nil)

    public init() {}

    public func get(orLoad load: () throws -> Value) throws -> Value {
        try value.withLock { cached in
            if let cached { return cached }
            let loaded = try load()
            cached = loaded
            return loaded
        }
    }
}

/// Fixed-size C character arrays in plugin structs (`char message[512]`, imported as tuples).
public enum CCharArray {
    /// The characters up to the first NUL, as UTF-8.
    public static func string<Tuple>(_ value: Tuple) -> String {
        withUnsafeBytes(of: value) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
    }
}
