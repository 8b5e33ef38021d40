import Foundation
import KilnCore

/// Converting tensor elements between JSON values and little-endian bytes.
enum TensorCoding {
    /// The tensor's bytes from its elements, already flattened row-major and counted.
    static func encodeJSON(_ flat: [JSONValue], datatype: DataType, name: String) throws -> [UInt8] {
        let elements = flat.count
        var bytes: [UInt8] = []
        bytes.reserveCapacity(elements * (datatype.elementSize ?? 8))
        func bad(_ value: JSONValue) -> KilnError {
            KilnError.invalidArgument("input '\(name)': \(value) is not a valid \(datatype.rawValue) element")
        }
        func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
        func integer<T: FixedWidthInteger>(_ value: JSONValue, as type: T.Type) throws -> T {
            guard case .number(let number) = value, number.rounded() == number, let exact = T(exactly: number) else { throw bad(value) }
            return exact
        }
        for value in flat {
            switch datatype {
            case .bool:
                guard case .bool(let flag) = value else { throw bad(value) }
                bytes.append(flag ? 1 : 0)
            case .uint8: append(try integer(value, as: UInt8.self))
            case .uint16: append(try integer(value, as: UInt16.self))
            case .uint32: append(try integer(value, as: UInt32.self))
            case .uint64: append(try integer(value, as: UInt64.self))
            case .int8: append(try integer(value, as: Int8.self))
            case .int16: append(try integer(value, as: Int16.self))
            case .int32: append(try integer(value, as: Int32.self))
            case .int64: append(try integer(value, as: Int64.self))
            case .fp32:
                guard case .number(let number) = value else { throw bad(value) }
                append(Float(number).bitPattern)
            case .fp64:
                guard case .number(let number) = value else { throw bad(value) }
                append(number.bitPattern)
            case .fp16:
                throw KilnError.invalidArgument("input '\(name)': FP16 data must be sent in binary")
            case .bytes:
                guard case .string(let text) = value else { throw bad(value) }
                append(UInt32(text.utf8.count))
                bytes.append(contentsOf: text.utf8)
            }
        }
        return bytes
    }

    /// Checks that binary data has the size its shape and datatype require.
    static func checkBinary(_ bytes: [UInt8], datatype: DataType, elements: Int, name: String) throws {
        if let size = datatype.elementSize {
            guard bytes.count == elements * size else {
                throw KilnError.invalidArgument(
                    "input '\(name)': \(elements) \(datatype.rawValue) elements need \(elements * size) bytes, got \(bytes.count)")
            }
            return
        }
        var offset = 0
        var count = 0
        while offset < bytes.count {
            guard offset + 4 <= bytes.count else { break }
            let length = Int(UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24)
            offset += 4 + length
            count += 1
        }
        guard offset == bytes.count, count == elements else {
            throw KilnError.invalidArgument("input '\(name)': BYTES data does not hold \(elements) length-prefixed elements")
        }
    }

    /// Appends the tensor's elements as a flat JSON array.
    static func appendJSON(_ tensor: Tensor, to text: inout String) {
        text += "["
        let storage = tensor.storage
        func each<T>(_ type: T.Type, _ render: (T) -> String) {
            storage.withUnsafeBytes { raw in
                let values = raw.bindMemory(to: T.self)
                for index in values.indices {
                    if index > 0 { text += "," }
                    text += render(values[index])
                }
            }
        }
        func number<T: BinaryFloatingPoint & LosslessStringConvertible>(_ value: T) -> String {
            value.isFinite ? value.description : "null"
        }
        switch tensor.datatype {
        case .bool: each(UInt8.self) { $0 != 0 ? "true" : "false" }
        case .uint8: each(UInt8.self) { String($0) }
        case .uint16: each(UInt16.self) { String(UInt16(littleEndian: $0)) }
        case .uint32: each(UInt32.self) { String(UInt32(littleEndian: $0)) }
        case .uint64: each(UInt64.self) { String(UInt64(littleEndian: $0)) }
        case .int8: each(Int8.self) { String($0) }
        case .int16: each(Int16.self) { String(Int16(littleEndian: $0)) }
        case .int32: each(Int32.self) { String(Int32(littleEndian: $0)) }
        case .int64: each(Int64.self) { String(Int64(littleEndian: $0)) }
        case .fp32: each(Float.self, number)
        case .fp64: each(Double.self, number)
        case .fp16:
            each(UInt16.self) { number(Float(Float16(bitPattern: $0))) }
        case .bytes:
            var offset = 0
            var first = true
            while offset + 4 <= storage.count {
                let length = Int(UInt32(storage[offset]) | UInt32(storage[offset + 1]) << 8 | UInt32(storage[offset + 2]) << 16 | UInt32(storage[offset + 3]) << 24)
                let end = min(storage.count, offset + 4 + length)
                if !first { text += "," }
                first = false
                text += jsonString(String(decoding: storage[(offset + 4)..<end], as: UTF8.self))
                offset = end
            }
        }
        text += "]"
    }

    static func jsonString(_ value: String) -> String {
        var bytes: [UInt8] = []
        JSONValue.write(string: value, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
