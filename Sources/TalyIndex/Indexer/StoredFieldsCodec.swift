/// Serializes a document's stored fields into the opaque payload the document store keeps per
/// document, and back. Layout (varint = LEB128, zigzag for signed values):
///
/// ```
/// field count varint
/// per field: field number varint | tag u8 | value
///   tag 0 text:    string
///   tag 1 keyword: varint count, then that many strings
///   tag 2 int64:   zigzag varint
///   tag 3 double:  u64 IEEE 754 bits, little-endian
///   tag 4 date:    zigzag varint milliseconds
/// string: varint length + UTF-8; in `.store` version 2 the payload's last string, when it ends
///         the payload, has no length: it runs to the end (the store already keeps each length)
/// ```
enum StoredFieldsCodec {
    /// The payload shape `.store` files of this version hold (their file version).
    static let currentVersion = IndexFileKind.storedDocuments.currentVersion

    /// Appends the stored fields of `document` (`stored[n]`: whether field number `n` is stored)
    /// to `bytes`, in the current version.
    /// (`SegmentBuilder.add` writes the same bytes with `appendField` as it reads each value.)
    static func encode(_ document: ValidatedDocument, stored: [Bool], into bytes: inout [UInt8]) {
        var count = 0
        var last = -1
        for (number, value) in document.values.enumerated() where value != nil && stored[number] {
            count += 1
            last = number
        }
        bytes.appendVarUInt64(UInt64(count))
        for (number, value) in document.values.enumerated() {
            guard let value, stored[number] else { continue }
            appendField(number, value, isLast: number == last, to: &bytes)
        }
    }

    /// Appends decoded (field number, value) pairs to `bytes` in the current version: how a merge
    /// rewrites the payloads of an older `.store`.
    static func encode(_ fields: [(field: Int, value: FieldValue)], into bytes: inout [UInt8]) {
        bytes.appendVarUInt64(UInt64(fields.count))
        for (index, (number, value)) in fields.enumerated() {
            appendField(number, value, isLast: index == fields.count - 1, to: &bytes)
        }
    }

    /// Appends one field of a payload: the field count first, then each stored field in number
    /// order, `isLast` for the last of them.
    static func appendField(_ number: Int, _ value: FieldValue, isLast: Bool, to bytes: inout [UInt8]) {
        bytes.appendVarUInt64(UInt64(number))
        switch value {
        case .text(let text):
            bytes.append(0)
            appendString(text, to: &bytes, runsToEnd: isLast)
        case .keyword(let values):
            bytes.append(1)
            bytes.appendVarUInt64(UInt64(values.count))
            for (position, value) in values.enumerated() {
                appendString(value, to: &bytes, runsToEnd: isLast && position == values.count - 1)
            }
        case .int64(let number):
            bytes.append(2)
            bytes.appendVarUInt64(zigzag(number))
        case .double(let number):
            bytes.append(3)
            withUnsafeBytes(of: number.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
        case .date(let milliseconds):
            bytes.append(4)
            bytes.appendVarUInt64(zigzag(milliseconds))
        }
    }

    /// Decodes a payload into (field number, value) pairs, checking every length and tag.
    static func decode(
        _ payload: UnsafeRawBufferPointer,
        fieldCount: Int,
        version: UInt32,
        fileName: String
    ) throws(IndexError) -> [(field: Int, value: FieldValue)] {
        var input = IndexInput(bytes: payload, fileName: fileName)
        let count = try input.readCount(limit: fieldCount, what: "stored field count")
        var fields: [(field: Int, value: FieldValue)] = []
        fields.reserveCapacity(count)
        let lastRunsToEnd = version >= 2
        for index in 0..<count {
            let number = try input.readCount(limit: fieldCount - 1, what: "stored field number")
            let tag = try input.readUInt8()
            let isLast = lastRunsToEnd && index == count - 1
            let value: FieldValue
            switch tag {
            case 0: value = .text(try readString(&input, runsToEnd: isLast))
            case 1:
                let valueCount = try input.readCount(limit: input.remaining, what: "keyword value count")
                var values: [String] = []
                values.reserveCapacity(valueCount)
                for position in 0..<valueCount {
                    values.append(try readString(&input, runsToEnd: isLast && position == valueCount - 1))
                }
                value = .keyword(values)
            case 2: value = .int64(unzigzag(try input.readVarUInt64()))
            case 3: value = .double(Double(bitPattern: try input.readUInt64()))
            case 4: value = .date(milliseconds: unzigzag(try input.readVarUInt64()))
            default: throw .corrupt(file: fileName, reason: "unknown stored value tag \(tag)")
            }
            fields.append((number, value))
        }
        guard input.remaining == 0 else {
            throw .corrupt(file: fileName, reason: "\(input.remaining) trailing bytes after the stored fields")
        }
        return fields
    }

    @inline(__always)
    static func zigzag(_ value: Int64) -> UInt64 { UInt64(bitPattern: (value << 1) ^ (value >> 63)) }

    @inline(__always)
    static func unzigzag(_ value: UInt64) -> Int64 { Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1) }

    private static func appendString(_ string: String, to bytes: inout [UInt8], runsToEnd: Bool) {
        // Native strings are contiguous UTF-8: one copy instead of walking the UTF-8 view.
        var string = string
        string.withUTF8 { utf8 in
            if !runsToEnd { bytes.appendVarUInt64(UInt64(utf8.count)) }
            bytes.append(contentsOf: utf8)
        }
    }

    /// A string with its length, or the rest of the payload when it is the last one of version 2.
    private static func readString(_ input: inout IndexInput, runsToEnd: Bool) throws(IndexError) -> String {
        guard runsToEnd else { return try input.readString() }
        let raw = try input.readBytes(input.remaining)
        guard let string = String(validating: raw, as: UTF8.self) else {
            throw .corrupt(file: input.fileName, reason: "the stored fields' last string is not UTF-8")
        }
        return string
    }
}
