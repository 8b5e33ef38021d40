import Foundation

/// Parses human byte sizes such as `512`, `64KiB`, `10MB`, `8GiB` (binary and decimal units).
public enum ByteSize {
    public static func parse(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.prefix { $0.isNumber }
        guard !digits.isEmpty, let number = Int(digits) else { return nil }
        let unit = trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces).lowercased()
        let multipliers: [String: Int] = [
            "": 1, "b": 1,
            "kb": 1_000, "mb": 1_000_000, "gb": 1_000_000_000,
            "kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30,
            "k": 1 << 10, "m": 1 << 20, "g": 1 << 30,
        ]
        guard let multiplier = multipliers[unit] else { return nil }
        let (result, overflow) = number.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : result
    }
}
