import KilnCore
import KilnTracking
import Testing

@Suite struct ArtifactPathTests {
    @Test func acceptsNormalPathsAndTrimsTrailingSlashes() throws {
        #expect(try ArtifactService.safePath("1/abc/artifacts/model/model.pt") == "1/abc/artifacts/model/model.pt")
        #expect(try ArtifactService.safePath("1/abc/artifacts/") == "1/abc/artifacts")
        #expect(try ArtifactService.safePath("1/abc/artifacts/a..b/x.txt") == "1/abc/artifacts/a..b/x.txt")
        #expect(try ArtifactService.safePath("", allowEmpty: true) == "")
    }

    @Test func refusesEscapesAndOddSegments() {
        for path in ["", "/etc/passwd", "1/../2", "..", "1/./x", "1//x", "1/x\\..\\y", "1/x\u{0}y", "1/\u{7F}"] {
            #expect(throws: KilnError.self, "\(path.debugDescription)") { _ = try ArtifactService.safePath(path) }
        }
    }
}
