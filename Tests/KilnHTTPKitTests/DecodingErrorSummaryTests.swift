import Foundation
@testable import KilnHTTPKit
import Testing

@Suite struct DecodingErrorSummaryTests {
    struct Body: Decodable {
        var fileId: String
        var maxQueueDelayUs: Int
    }

    @Test func namesFieldsAsTheClientSentThem() {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        #expect(throws: DecodingError.self) { _ = try decoder.decode(Body.self, from: Data(#"{"max_queue_delay_us": 1}"#.utf8)) }
        do {
            _ = try decoder.decode(Body.self, from: Data(#"{"file_id": 3, "max_queue_delay_us": 1}"#.utf8))
        } catch let error as DecodingError {
            #expect(DecodingErrorSummary.describe(error) == "field 'file_id' should be String")
        } catch {
            Issue.record("unexpected \(error)")
        }
        do {
            _ = try decoder.decode(Body.self, from: Data(#"{"max_queue_delay_us": 1}"#.utf8))
        } catch let error as DecodingError {
            #expect(DecodingErrorSummary.describe(error) == "missing field 'file_id'")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
