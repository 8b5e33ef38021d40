import KilnCore
import Testing

@Suite struct ByteSizeTests {
    @Test(arguments: [
        ("512", 512), ("64KiB", 65536), ("10MB", 10_000_000), ("8GiB", 8 << 30), ("1 mib", 1 << 20), ("3k", 3072),
    ])
    func parses(text: String, bytes: Int) {
        #expect(ByteSize.parse(text) == bytes)
    }

    @Test(arguments: ["", "MiB", "-5", "5 parsecs", "99999999999999999999GiB"])
    func rejects(text: String) {
        #expect(ByteSize.parse(text) == nil)
    }
}
