import Foundation
import KilnCore

/// Decimal numbers as CSV files write them, parsed from UTF-8 bytes without Foundation.
public enum FastNumber {
    /// Plain decimals (`-12.5`, `3`, `1e-3`) with at most 15 significant digits are exact here
    /// (Clinger's fast path: an integer mantissa below 2^53 times a power of ten up to 10^22 is
    /// one correctly rounded IEEE operation); anything else goes to the standard library.
    public static func parse(_ string: String) -> Double? {
        var string = string
        return string.withUTF8(value)
    }

    /// The number a field's bytes spell, or nil.
    @inline(__always)
    public static func value(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        if let fast = parse(bytes) { return fast }
        return Double(String(decoding: bytes, as: UTF8.self))
    }

    /// The value when the fast path applies; nil leaves the decision to the standard library.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        guard let (number, stop) = prefix(bytes, from: 0, to: bytes.count), stop == bytes.count else { return nil }
        return number.value
    }

    /// A decimal read by the fast path, not yet converted: a scanner that only checks that a
    /// field is a number skips the division.
    public typealias Decimal = ExactDecimal

    /// The number whose text starts at `start`, and where that text stops (the first byte that
    /// cannot continue it, or `count`); nil when there is no number there or the fast path does
    /// not apply. Lets a CSV scanner read a numeric field in the same pass that finds its end.
    @inline(__always)
    public static func prefix(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to count: Int) -> (number: Decimal, stop: Int)? {
        var index = start
        guard index < count else { return nil }
        var negative = false
        if bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            negative = bytes[index] == UInt8(ascii: "-")
            index &+= 1
        }
        // Every digit counts towards the 15, leading zeros too: one comparison per number
        // instead of one per digit (a number with more digits takes the standard library's path).
        var mantissa: UInt64 = 0, scale = 0
        let integerStart = index
        while index < count, bytes[index] &- 48 < 10 {
            mantissa = mantissa &* 10 &+ UInt64(bytes[index] &- 48)
            index &+= 1
        }
        var digits = index &- integerStart
        if index < count, bytes[index] == UInt8(ascii: ".") {
            index &+= 1
            let fractionStart = index
            while index < count, bytes[index] &- 48 < 10 {
                mantissa = mantissa &* 10 &+ UInt64(bytes[index] &- 48)
                index &+= 1
            }
            scale = fractionStart &- index
            digits &+= index &- fractionStart
        }
        guard digits > 0 else { return nil }
        if index < count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index &+= 1
            var exponentNegative = false
            if index < count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index &+= 1
            }
            var exponent = 0, sawExponent = false
            while index < count, bytes[index] &- 48 < 10, exponent < 10_000 {
                exponent = exponent * 10 + Int(bytes[index] &- 48)
                index &+= 1
                sawExponent = true
            }
            guard sawExponent else { return nil }
            scale += exponentNegative ? -exponent : exponent
        }
        guard digits <= 15, abs(scale) <= 22 else { return nil }
        return (Decimal(mantissa: mantissa, scale: scale, negative: negative), index)
    }
}
