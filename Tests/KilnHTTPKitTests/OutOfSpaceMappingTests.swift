import Foundation
import KilnCore
@testable import KilnHTTPKit
import Testing

@Suite struct OutOfSpaceMappingTests {
    @Test func fullDisksAnswerInsufficientStorageAndOtherWriteErrorsStayInternal() {
        let full: [any Error] = [
            CocoaError(.fileWriteOutOfSpace), POSIXError(.ENOSPC), POSIXError(.EDQUOT),
            NSError(domain: NSPOSIXErrorDomain, code: Int(ENOSPC)),
            NSError(domain: NSCocoaErrorDomain, code: 1, userInfo: [NSUnderlyingErrorKey: POSIXError(.ENOSPC)]),
        ]
        for error in full {
            #expect(ErrorMiddleware.kilnError(from: error).code == .insufficientStorage, "\(error)")
        }
        for error: any Error in [POSIXError(.EACCES), CocoaError(.fileWriteNoPermission), NSError(domain: "x", code: 28)] {
            #expect(ErrorMiddleware.kilnError(from: error).code == .internal, "\(error)")
        }
    }
}
