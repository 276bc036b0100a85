import Foundation

/// Writes JSON text byte for byte as Foundation's `JSONEncoder` does with `.sortedKeys`: object
/// keys in UTF-8 byte order, numbers as Swift prints them less a trailing `.0`, the same escapes
/// (`\"`, `\\`, `\/` unless told not to, `\b \f \n \r \t`, other controls as `\u00xx`).
///
/// The store's hot paths (content fields, audit details, outbox payloads) write through this
/// rather than `JSONEncoder`, which costs tens of microseconds for even a two-key object on
/// Linux. Byte-identical output keeps rows written before and after comparable; tests hold it
/// to `JSONEncoder` on random values.
public struct CanonicalJSONWriter: Sendable {
    /// The text so far.
    public private(set) var bytes: [UInt8] = []
    /// Whether `/` is written `\/`: `JSONEncoder`'s default, which GRDB keeps for JSON columns;
    /// `.withoutEscapingSlashes` (outbox payloads, audit details) writes it bare.
    public let escapesSlashes: Bool

    /// `JSONEncoder` refuses containers nested this deep.
    private static let maximumDepth = 512

    public init(escapesSlashes: Bool, capacity: Int = 256) {
        self.escapesSlashes = escapesSlashes
        bytes.reserveCapacity(capacity)
    }

    /// The text written.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Appends punctuation or a literal that needs no escaping.
    public mutating func raw(_ literal: StaticString) {
        literal.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Appends JSON text this writer (or one like it) already wrote.
    public mutating func raw(json text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    /// Appends `elements` as a JSON array, each written by `element`.
    public mutating func array<Elements: Sequence>(
        _ elements: Elements, _ element: (inout CanonicalJSONWriter, Elements.Element) throws -> Void
    ) rethrows {
        bytes.append(UInt8(ascii: "["))
        var first = true
        for item in elements {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            try element(&self, item)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// Appends `"key":`, preceded by a comma unless it is the object's first key.
    public mutating func key(_ key: StaticString, first: Bool = false) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        bytes.append(UInt8(ascii: "\""))
        raw(key)
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    /// Appends a quoted, escaped string.
    ///
    /// Scans eight bytes at a time while none needs an escape (text is mostly such runs), and
    /// appends each run between escapes with one copy.
    public mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            guard let base = utf8.baseAddress else { return }
            let count = utf8.count
            var chunkStart = 0
            var index = 0
            while index < count {
                if index + 8 <= count,
                    !JSONWords.mayNeedEscape(
                        UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self), slashes: escapesSlashes)
                {
                    index += 8
                    continue
                }
                let byte = base[index]
                let escape: StaticString
                switch byte {
                case UInt8(ascii: "\""): escape = "\\\""
                case UInt8(ascii: "\\"): escape = "\\\\"
                case UInt8(ascii: "/") where escapesSlashes: escape = "\\/"
                case 0x08: escape = "\\b"
                case 0x0C: escape = "\\f"
                case 0x0A: escape = "\\n"
                case 0x0D: escape = "\\r"
                case 0x09: escape = "\\t"
                case 0x00..<0x20: escape = "\\u00"
                default:
                    index += 1
                    continue
                }
                bytes.append(contentsOf: UnsafeBufferPointer(start: base + chunkStart, count: index - chunkStart))
                raw(escape)
                if byte < 0x20, escape.utf8CodeUnitCount == 4 {
                    bytes.append(Self.hexDigit(byte >> 4))
                    bytes.append(Self.hexDigit(byte & 0xF))
                }
                index += 1
                chunkStart = index
            }
            bytes.append(contentsOf: UnsafeBufferPointer(start: base + chunkStart, count: count - chunkStart))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }

    /// Appends a finite number as Swift prints it, without a trailing `.0` (`3`, `2.5`, `1e-07`).
    public mutating func number(_ value: Double) throws {
        guard value.isFinite else { throw Self.notFinite(value) }
        appendShortest(value.description)
    }

    /// Appends a finite single-precision number the same way: `JSONEncoder` writes a `Float`
    /// from its own shortest digits (`7.554156`), not those of the `Double` it widens to.
    public mutating func number(_ value: Float) throws {
        guard value.isFinite else { throw Self.notFinite(value) }
        appendShortest(value.description)
    }

    private mutating func appendShortest(_ text: String) {
        let utf8 = text.utf8
        if utf8.count >= 2, text.hasSuffix(".0") {
            bytes.append(contentsOf: utf8.dropLast(2))
        } else {
            bytes.append(contentsOf: utf8)
        }
    }

    private static func notFinite(_ value: some BinaryFloatingPoint) -> EncodingError {
        EncodingError.invalidValue(
            value, EncodingError.Context(codingPath: [], debugDescription: "\(value) is not valid JSON"))
    }

    /// Appends an integer, its decimal digits as `description` writes them, without the
    /// intermediate `String` (ids, versions, amounts: several per record of a bulk write).
    public mutating func integer(_ value: Int64) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        // The magnitude as unsigned, so that Int64.min has one.
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                count += 1
                buffer[buffer.count - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[(buffer.count - count)...]))
        }
    }

    /// Appends an instant, `milliseconds` since 1970 UTC, as a quoted ISO 8601 string with
    /// milliseconds (`"2026-11-30T05:28:08.454Z"`): `iso8601Text(milliseconds:)`, with no
    /// intermediate `String` in the years formatted by hand.
    public mutating func date(milliseconds: Int64) {
        guard StoredDate.isFormattedByHand(milliseconds: milliseconds) else {
            string(Self.iso8601Text(milliseconds: milliseconds))
            return
        }
        bytes.append(UInt8(ascii: "\""))
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: StoredDate.maximumWrittenCount))
        let written = bytes.withUnsafeMutableBufferPointer { buffer in
            StoredDate.write(
                milliseconds: milliseconds, style: .iso8601Milliseconds,
                into: UnsafeMutableBufferPointer(rebasing: buffer[start...]))
        }
        bytes.removeLast(StoredDate.maximumWrittenCount - written)
        bytes.append(UInt8(ascii: "\""))
    }

    /// An instant, `milliseconds` since 1970 UTC, as ISO 8601 with milliseconds
    /// (`2026-11-30T05:28:08.454Z`), exact to the millisecond. Foundation's
    /// `ISO8601FormatStyle(includingFractionalSeconds: true)` truncates the `Double` seconds, so
    /// it writes one millisecond less for about half of all values (`.454` as `.453`); it still
    /// answers outside the years 1583 to 9999, where its calendar turns Julian or its years grow
    /// a fifth digit.
    public static func iso8601Text(milliseconds: Int64) -> String {
        guard StoredDate.isFormattedByHand(milliseconds: milliseconds) else {
            return Date(timeIntervalSince1970: Double(milliseconds) / 1000)
                .formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        }
        return String(unsafeUninitializedCapacity: StoredDate.maximumWrittenCount) { buffer in
            StoredDate.write(milliseconds: milliseconds, style: .iso8601Milliseconds, into: buffer)
        }
    }

    /// Appends `true` or `false`.
    public mutating func bool(_ value: Bool) {
        raw(value ? "true" : "false")
    }

    /// Appends an object of strings, keys sorted.
    mutating func object(_ values: [String: String]) {
        bytes.append(UInt8(ascii: "{"))
        for (index, member) in Self.sortedMembers(values).enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            string(member.key)
            bytes.append(UInt8(ascii: ":"))
            string(member.value)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    /// Appends a content value; `depth` is the nesting of the container holding it.
    public mutating func value(_ value: ContentValue, depth: Int = 0) throws {
        switch value {
        case .null: raw("null")
        case .bool(let flag): bool(flag)
        case .number(let number): try self.number(number)
        case .string(let text): string(text)
        case .array(let elements):
            try checkDepth(depth + 1)
            bytes.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                try self.value(element, depth: depth + 1)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            try object(members, depth: depth)
        }
    }

    /// Appends an object of content values, keys sorted.
    public mutating func object(_ members: [String: ContentValue], depth: Int = 0) throws {
        try checkDepth(depth + 1)
        bytes.append(UInt8(ascii: "{"))
        for (index, member) in Self.sortedMembers(members).enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            string(member.key)
            bytes.append(UInt8(ascii: ":"))
            try value(member.value, depth: depth + 1)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    /// Appends an attribute value.
    mutating func value(_ value: AttributeValue, depth: Int = 0) throws {
        switch value {
        case .string(let text): string(text)
        case .integer(let number): integer(number)
        case .number(let number): try self.number(number)
        case .bool(let flag): bool(flag)
        case .array(let elements):
            try checkDepth(depth + 1)
            bytes.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                try self.value(element, depth: depth + 1)
            }
            bytes.append(UInt8(ascii: "]"))
        }
    }

    /// Appends an object of attribute values, keys sorted.
    mutating func object(_ members: [String: AttributeValue]) throws {
        bytes.append(UInt8(ascii: "{"))
        for (index, member) in Self.sortedMembers(members).enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            string(member.key)
            bytes.append(UInt8(ascii: ":"))
            try value(member.value, depth: 1)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    private func checkDepth(_ depth: Int) throws {
        guard depth < Self.maximumDepth else {
            throw EncodingError.invalidValue(
                depth, EncodingError.Context(codingPath: [], debugDescription: "JSON nested too deeply"))
        }
    }

    /// A dictionary's keys in `JSONEncoder`'s `.sortedKeys` order: UTF-8 bytes, lexicographically.
    public static func sortedKeys<Value>(_ dictionary: [String: Value]) -> [String] {
        dictionary.keys.sorted(by: utf8Precedes)
    }

    /// A dictionary's members in `sortedKeys` order: sorting the pairs once saves looking every
    /// key up again (hashing it) to write its value.
    static func sortedMembers<Value>(_ dictionary: [String: Value]) -> [(key: String, value: Value)] {
        dictionary.sorted { utf8Precedes($0.key, $1.key) }
    }

    /// Whether `lhs` comes before `rhs` by their UTF-8 bytes, compared with `memcmp`: walking two
    /// `UTF8View`s byte by byte was most of sorting a record's keys.
    static func utf8Precedes(_ lhs: String, _ rhs: String) -> Bool {
        let ordered = lhs.utf8.withContiguousStorageIfAvailable { left in
            rhs.utf8.withContiguousStorageIfAvailable { right in
                let common = min(left.count, right.count)
                let order = common == 0 ? 0 : memcmp(left.baseAddress!, right.baseAddress!, common)
                return order != 0 ? order < 0 : left.count < right.count
            }
        }
        guard let ordered, let ordered else { return lhs.utf8.lexicographicallyPrecedes(rhs.utf8) }
        return ordered
    }
}
