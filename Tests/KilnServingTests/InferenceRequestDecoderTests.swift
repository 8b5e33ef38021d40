import Foundation
import KilnCore
@testable import KilnServing
import Testing

@Suite struct InferenceRequestDecoderTests {
    let decoder = InferenceRequestDecoder(maxElements: 1000)

    func json(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func nestedJSONDataIsFlattenedRowMajor() throws {
        let request = try decoder.decode(body: json(#"""
            {"id":"r1","inputs":[{"name":"x","datatype":"INT32","shape":[2,2],"data":[[1,2],[3,4]]}],
             "outputs":[{"name":"y","parameters":{"binary_data":true,"classification":3}}],
             "parameters":{"timeout":250}}
            """#), headerLength: nil)
        let tensor = try #require(request.inputs["x"])
        #expect(tensor.storage.withUnsafeBytes { Array($0.bindMemory(to: Int32.self)) } == [1, 2, 3, 4])
        #expect(request.id == "r1" && request.timeoutMicroseconds == 250)
        #expect(request.outputs?.first?.binary == true && request.outputs?.first?.classCount == 3)
    }

    @Test func boolAndBytesInJSON() throws {
        let request = try decoder.decode(body: json(#"""
            {"inputs":[{"name":"flags","datatype":"BOOL","shape":[3],"data":[true,false,true]},
                       {"name":"text","datatype":"BYTES","shape":[2],"data":["hé","xyz"]}]}
            """#), headerLength: nil)
        #expect(request.inputs["flags"]?.storage == [1, 0, 1])
        #expect(request.inputs["text"]?.storage == [3, 0, 0, 0, 0x68, 0xC3, 0xA9, 3, 0, 0, 0, 0x78, 0x79, 0x7A])
    }

    @Test func jsonNumbersKeepTheirValueAndUnknownFieldsAreSkipped() throws {
        let request = try decoder.decode(body: json(#"""
            {"extra":{"deep":[1,{"x":null}]},"id":null,"inputs":[{"name":"x","datatype":"FP64","shape":[4],
             "data":[[0.1],[-2.5e-3],[0.30000000000000004],[12345678901234567890]],"parameters":null}]}
            """#), headerLength: nil)
        let values = try #require(request.inputs["x"]).storage.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
        #expect(values == [0.1, -2.5e-3, 0.30000000000000004, 12345678901234567890])
        #expect(request.id == nil && request.outputs == nil)
    }

    @Test func binaryInputsFollowTheHeaderInOrder() throws {
        let header = json(#"""
            {"inputs":[{"name":"a","datatype":"FP32","shape":[2],"parameters":{"binary_data_size":8}},
                       {"name":"s","datatype":"BYTES","shape":[1],"parameters":{"binary_data_size":6}}]}
            """#)
        let floats: [Float] = [1.5, -2]
        let body = header + floats.withUnsafeBytes { Array($0) } + [2, 0, 0, 0, 0x6F, 0x6B]
        let request = try decoder.decode(body: body, headerLength: header.count)
        #expect(request.inputs["a"]?.float32Values() == floats)
        #expect(request.inputs["s"]?.storage == [2, 0, 0, 0, 0x6F, 0x6B])
    }

    @Test(arguments: [
        (#"{"inputs":[{"name":"a","datatype":"FP32","shape":[2],"data":[1]}]}"#, "elements"),
        (#"{"inputs":[{"name":"a","datatype":"FP33","shape":[1],"data":[1]}]}"#, "datatype"),
        (#"{"inputs":[{"name":"a","datatype":"INT8","shape":[1],"data":[300]}]}"#, "INT8"),
        (#"{"inputs":[{"name":"a","datatype":"INT32","shape":[1],"data":[1.5]}]}"#, "INT32"),
        (#"{"inputs":[{"name":"a","datatype":"BOOL","shape":[1],"data":[1]}]}"#, "BOOL"),
        (#"{"inputs":[{"name":"a","datatype":"FP16","shape":[1],"data":[1]}]}"#, "binary"),
        (#"{"inputs":[{"name":"a","datatype":"FP32","shape":[-1],"data":[]}]}"#, "negative"),
        (#"{"inputs":[{"name":"a","datatype":"FP32","shape":[100,100],"data":[]}]}"#, "more than"),
        (#"{"inputs":[{"name":"a","datatype":"FP32","shape":[1]}]}"#, "neither"),
        (#"{"inputs":[{"name":"a","datatype":"FP32","shape":[1],"data":[1]},{"name":"a","datatype":"FP32","shape":[1],"data":[1]}]}"#, "twice"),
        (#"{"inputs":"x"}"#, "wrong type"),
        (#"{"inputs":[{"name":"a","#, "not valid JSON"),
        ("[1,2]", "not a JSON object"),
        (#"{"inputs":[{"name":"a","datatype":"FP32","shape":[1.5],"data":[1]}]}"#, "inputs.0.shape"),
        (#"{"inputs":[{"name":"a","datatype":"FP32","data":[1]}]}"#, "missing field 'inputs.0.shape'"),
        (#"{"outputs":[]}"#, "missing field 'inputs'"),
        (#"{"inputs":[],"outputs":[{"name":3}]}"#, "outputs.0.name"),
        (#"{"inputs":[{"name":"a","datatype":"FP32","shape":[2],"data":[1,"x"]}]}"#, "not a valid FP32"),
    ])
    func malformedRequestsNameTheProblem(body: String, fragment: String) {
        do {
            _ = try decoder.decode(body: json(body), headerLength: nil)
            Issue.record("expected an error for \(body)")
        } catch let error as KilnError {
            #expect(error.code == .invalidArgument)
            #expect(error.message.contains(fragment), "\(error.message)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func truncatedAndOverlongBinaryBodiesAreRejected() {
        let header = json(#"{"inputs":[{"name":"a","datatype":"FP32","shape":[2],"parameters":{"binary_data_size":8}}]}"#)
        #expect(throws: KilnError.self) { try decoder.decode(body: header + [0, 0, 0, 0], headerLength: header.count) }
        #expect(throws: KilnError.self) { try decoder.decode(body: header + [UInt8](repeating: 0, count: 12), headerLength: header.count) }
        #expect(throws: KilnError.self) { try decoder.decode(body: header, headerLength: header.count + 1) }
        let bytesHeader = json(#"{"inputs":[{"name":"s","datatype":"BYTES","shape":[2],"parameters":{"binary_data_size":6}}]}"#)
        #expect(throws: KilnError.self) { try decoder.decode(body: bytesHeader + [2, 0, 0, 0, 0x6F, 0x6B], headerLength: bytesHeader.count) }
    }

    @Test func batchesConcatenateAndSplitAlongTheFirstDimension() throws {
        let a = Tensor.float32([1, 2, 3, 4], shape: [2, 2])
        let b = Tensor.float32([5, 6], shape: [1, 2])
        let joined = try InferenceBatch.concatenate([[a], [b]])
        #expect(joined[0].shape == [3, 2] && joined[0].float32Values() == [1, 2, 3, 4, 5, 6])
        let pieces = try InferenceBatch.split([Tensor.float32([10, 20, 30], shape: [3])], sizes: [2, 1])
        #expect(pieces[0][0].float32Values() == [10, 20] && pieces[1][0].float32Values() == [30])
        #expect(throws: KilnError.self) { try InferenceBatch.split([Tensor.float32([1, 2], shape: [2])], sizes: [2, 1]) }
        #expect(throws: KilnError.self) {
            try InferenceBatch.concatenate([[a], [Tensor.float32([1, 2, 3], shape: [1, 3])]])
        }
    }
}
