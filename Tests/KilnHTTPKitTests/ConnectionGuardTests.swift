import KilnCore
@testable import KilnHTTPKit
import Testing

@Suite struct ConnectionGuardTests {
    @Test func findsTheEndOfTheHeadersOnlyAsACompleteBlankLine() {
        let end: [UInt8] = Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        #expect(ConnectionGuardHandler.containsHeaderEnd(end))
        #expect(!ConnectionGuardHandler.containsHeaderEnd(Array("GET / HTTP/1.1\r\nHost: x\r\n".utf8)))
        #expect(!ConnectionGuardHandler.containsHeaderEnd(Array("\r\n\r\r\n".utf8)))
        #expect(ConnectionGuardHandler.containsHeaderEnd(Array("x\r\r\n\r\n".utf8)))
        #expect(!ConnectionGuardHandler.containsHeaderEnd(Array("\n\n\n\n".utf8)))
    }

    @Test func countsPerAddressAndInTotalAndFreesOnClose() {
        var limits = ConnectionLimits()
        limits.maxConnections = 3
        limits.maxConnectionsPerAddress = 2
        let counter = ConnectionCounter(limits: limits)
        #expect(counter.open("a") && counter.open("a"))
        #expect(!counter.open("a"))
        #expect(counter.open("b"))
        #expect(!counter.open("c"))  // the total cap
        counter.close("a")
        #expect(counter.open("c") && counter.openConnections == 3)
        counter.close("a")
        counter.close("b")
        counter.close("c")
        #expect(counter.openConnections == 0 && counter.counts.withLock { $0.perAddress.isEmpty })
    }
}
