/// Sixty-four bytes of CSV read at once: the fast path of checking a large numeric table.
///
/// A block starts at a field start and covers the fields that end inside its 64 bytes (through
/// the last separator). It exists only when every one of those fields is a plain decimal of at
/// most 15 characters (`12`, `-0.5`, `.25`), which `CSVFieldScanner.nextPlainDecimal` would
/// also take. Then a checker needs nothing but where the commas and line ends are.
///
/// Any other field refuses the block, and the caller reads those bytes field by field. That
/// covers empty, quoted or spaced fields, an exponent, a CR that is not half of a CRLF,
/// non-ASCII text, a longer number, and a field longer than the block. So does a byte after
/// the last separator that no plain decimal has: the field it starts is the one read next.
/// Line ends may be LF or CRLF.
///
/// The bytes are classified with 16-byte vector compares, and the fields are checked with
/// 64-bit masks, one bit per byte, without a branch per field. A field-by-field reader
/// mispredicts where each short field ends.
public struct CSVPlainBlock {
    public static let size = 64

    /// Bit i set: byte i of the block is a comma / a line feed. Only bits inside `count`.
    public let commas: UInt64
    public let newlines: UInt64
    /// Bit i set: byte i is a comma, a line feed or the CR of a CRLF. A field's bytes stop at
    /// the first of these after its start.
    public let fieldEnds: UInt64
    /// The block's length in bytes, through its last separator (1...64).
    public let count: Int

    /// Reads the 64 bytes at `bytes` (all must be readable; `bytes` must be a field start).
    @inline(__always)
    public init?(_ bytes: UnsafePointer<UInt8>) {
        var separators: UInt64 = 0, newlines: UInt64 = 0, carriages: UInt64 = 0, dots: UInt64 = 0, signs: UInt64 = 0
        var others = SIMD16<UInt8>(repeating: 0), anyNewline = SIMD16<UInt8>(repeating: 0), anyCarriage = SIMD16<UInt8>(repeating: 0)
        for chunk in 0..<4 {
            let v = UnsafeRawPointer(bytes + 16 * chunk).loadUnaligned(as: SIMD16<UInt8>.self)
            // Explicit types keep the concrete vector operators: a literal left to inference
            // picks the generic ones, which run lane by lane (about 80 times slower).
            let comma = v .== SIMD16<UInt8>(repeating: 0x2C), newline = v .== SIMD16<UInt8>(repeating: 0x0A)
            let dot = v .== SIMD16<UInt8>(repeating: 0x2E)
            let sign = (v .== SIMD16<UInt8>(repeating: 0x2D)) .| (v .== SIMD16<UInt8>(repeating: 0x2B))
            // A digit: high nibble 3 and low nibble below 10 (adding 6 to it leaves bit 4 clear).
            let high: SIMD16<UInt8> = v & SIMD16<UInt8>(repeating: 0xF0)
            let low: SIMD16<UInt8> = (v & SIMD16<UInt8>(repeating: 0x0F)) &+ SIMD16<UInt8>(repeating: 6)
            let digit = (high .== SIMD16<UInt8>(repeating: 0x30)) .& ((low & SIMD16<UInt8>(repeating: 0x10)) .== SIMD16<UInt8>(repeating: 0))
            let carriage = v .== SIMD16<UInt8>(repeating: 0x0D)
            let separator = comma .| newline
            others |= ~Self.lanes(separator .| dot .| sign .| digit .| carriage)
            let shift = UInt64(16 * chunk)
            separators |= Self.bits(separator) << shift
            anyNewline |= Self.lanes(newline)
            anyCarriage |= Self.lanes(carriage)
            dots |= Self.bits(dot) << shift
            signs |= Self.bits(sign) << shift
        }
        guard !Self.any(others), separators != 0 else { return nil }
        // Lines are hundreds of bytes long: most blocks have no line end to locate.
        if Self.any(anyNewline) { newlines = Self.bits(of: 0x0A, in: bytes) }
        if Self.any(anyCarriage) { carriages = Self.bits(of: 0x0D, in: bytes) }

        let last = 63 - separators.leadingZeroBitCount
        let inside: UInt64 = last == 63 ? ~0 : (1 << UInt64(last + 1)) &- 1
        separators &= inside
        newlines &= inside
        carriages &= inside
        dots &= inside
        signs &= inside
        // A CR ends a field only as the first half of a CRLF line end.
        let ends = separators | carriages
        let starts = ((separators << 1) | 1) & inside
        let fieldBytes = inside & ~ends
        // An empty field: a field ends where it starts. A CR not before a line feed. A sign
        // anywhere but at a field start.
        var refused = (starts & ends) | (carriages & ~(newlines >> 1)) | (signs & ~starts)
        // A field without a digit (`-`, `.`, `-.`): adding its start bit to the run of
        // non-digits it opens carries to the byte after the run, and that byte ends the field.
        let nonDigits = dots | signs
        refused |= (nonDigits &+ (starts & nonDigits)) & ~nonDigits & ends
        // Two dots in a field: a dot right after a dot, or after the digits that follow one.
        let afterDots = (dots << 1) & inside
        let undotted = fieldBytes & ~dots
        refused |= (afterDots & dots) | ((undotted &+ (afterDots & undotted)) & ~undotted & dots)
        // A field of 16 bytes or more (it could hold more than 15 digits): a run of 16 ones.
        var run = fieldBytes
        run &= run >> 1
        run &= run >> 2
        run &= run >> 4
        run &= run >> 8
        refused |= run
        guard refused == 0 else { return nil }
        self.commas = separators & ~newlines
        self.newlines = newlines
        self.fieldEnds = ends
        self.count = last + 1
    }

    @inline(__always)
    private static func any(_ lanes: SIMD16<UInt8>) -> Bool {
        let halves = unsafeBitCast(lanes, to: SIMD2<UInt64>.self)
        return halves[0] | halves[1] != 0
    }

    /// Where `byte` is among the 64 bytes, one bit per byte.
    @inline(__always)
    private static func bits(of byte: UInt8, in bytes: UnsafePointer<UInt8>) -> UInt64 {
        var mask: UInt64 = 0
        for chunk in 0..<4 {
            let v = UnsafeRawPointer(bytes + 16 * chunk).loadUnaligned(as: SIMD16<UInt8>.self)
            mask |= bits(v .== SIMD16<UInt8>(repeating: byte)) << UInt64(16 * chunk)
        }
        return mask
    }

    /// The lanes of a comparison as bytes (0x00 or 0xFF).
    @inline(__always)
    private static func lanes(_ mask: SIMDMask<SIMD16<Int8>>) -> SIMD16<UInt8> {
        unsafeBitCast(mask, to: SIMD16<UInt8>.self)
    }

    /// One bit per lane. Each half's lanes, weighted 1, 2, 4 … 128 and summed, make one byte
    /// (x86 compiles the sums to `psadbw`; Swift has no movemask).
    @inline(__always)
    private static func bits(_ mask: SIMDMask<SIMD16<Int8>>) -> UInt64 {
        let weighted = lanes(mask) & weights
        return UInt64(weighted.lowHalf.wrappedSum()) | UInt64(weighted.highHalf.wrappedSum()) << 8
    }

    /// A stored constant, not a literal: with the weights in view the optimiser proves the
    /// bits disjoint, turns the sums into OR reductions and compiles those lane by lane.
    private static let weights = SIMD16<UInt8>(1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128)
}
