import Foundation
import TalyStore

/// A parsed JSON value that keeps integers apart from fractions (product attributes need it)
/// and object members in input order.
enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([JSONMember])

    static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.integer(let a), .integer(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a == b
        default: false
        }
    }

    /// The JSON type's name, for messages.
    var kind: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .integer, .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// An object's member. A struct rather than a `(String, JSONValue)` tuple: an array of tuples is
/// destroyed through the runtime's generic tuple witness, member by member (~7% of a parser
/// thread's instructions for a pypi record), an array of structs through compiled code.
struct JSONMember: Sendable, Equatable {
    let key: String
    let value: JSONValue

    init(_ key: String, _ value: JSONValue) {
        self.key = key
        self.value = value
    }
}

/// A single-pass JSON parser over bytes, several times faster than `JSONDecoder` on ingest
/// records; errors give the byte offset.
struct JSONParser: ~Copyable {
    struct Failure: Error {
        let offset: Int
        let reason: String
    }

    let bytes: UnsafeRawBufferPointer
    var index = 0
    private var scratch: [UInt8] = []
    private static let maximumDepth = 64

    /// Parses exactly one JSON value filling `bytes` (white space around it allowed).
    static func parse(_ bytes: UnsafeRawBufferPointer) throws(Failure) -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        parser.skipSpace()
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        guard parser.index == bytes.count else { throw Failure(offset: parser.index, reason: "text after the value") }
        return value
    }

    init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// Moves `index` over a string's bytes up to the first that ends it, starts an escape or is
    /// a control byte (or to the end of the record), eight bytes at a time while no byte of a
    /// word may be one; returns a value of 0x80 or more when a skipped byte is past ASCII.
    @inline(__always)
    mutating func skipPlainRun() -> UInt8 {
        var words: UInt64 = 0
        if let base = bytes.baseAddress {
            while index + 8 <= bytes.count {
                let word = (base + index).loadUnaligned(as: UInt64.self)
                if JSONWords.mayNeedEscape(word, slashes: false) { break }
                words |= word
                index += 8
            }
        }
        var seen: UInt8 = JSONWords.hasNonASCII(words) ? 0x80 : 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x22 || byte == 0x5C || byte < 0x20 { break }
            seen |= byte
            index += 1
        }
        return seen
    }

    mutating func skipSpace() {
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D else { return }
            index += 1
        }
    }

    private func fail(_ reason: String) -> Failure { Failure(offset: index, reason: reason) }

    private mutating func value(depth: Int) throws(Failure) -> JSONValue {
        guard index < bytes.count else { throw fail("unexpected end of the record") }
        switch bytes[index] {
        case 0x7B: return try object(depth: depth + 1)
        case 0x5B: return try array(depth: depth + 1)
        case 0x22: return .string(try string())
        case 0x74:
            try literal("true")
            return .bool(true)
        case 0x66:
            try literal("false")
            return .bool(false)
        case 0x6E:
            try literal("null")
            return .null
        case 0x2D, 0x30...0x39: return try number()
        default: throw fail("unexpected character")
        }
    }

    mutating func literal(_ word: StaticString) throws(Failure) {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count,
            memcmp(bytes.baseAddress! + index, word.utf8Start, count) == 0
        else { throw fail("unexpected character") }
        index += count
    }

    private mutating func object(depth: Int) throws(Failure) -> JSONValue {
        guard depth <= Self.maximumDepth else { throw fail("nested deeper than \(Self.maximumDepth) levels") }
        index += 1
        var members: [JSONMember] = []
        // Room for a record's usual members at once: grown from empty, an object of six members
        // was allocated four times (capacities 1, 2, 4, 8), ~7% of a parser thread.
        members.reserveCapacity(8)
        skipSpace()
        if index < bytes.count && bytes[index] == 0x7D {
            index += 1
            return .object(members)
        }
        while true {
            skipSpace()
            guard index < bytes.count, bytes[index] == 0x22 else { throw fail("expected a member name") }
            let key = try string()
            skipSpace()
            guard index < bytes.count, bytes[index] == 0x3A else { throw fail("expected ':'") }
            index += 1
            skipSpace()
            members.append(JSONMember(key, try value(depth: depth)))
            skipSpace()
            guard index < bytes.count else { throw fail("unexpected end of the record") }
            if bytes[index] == 0x2C {
                index += 1
                continue
            }
            guard bytes[index] == 0x7D else { throw fail("expected ',' or '}'") }
            index += 1
            return .object(members)
        }
    }

    private mutating func array(depth: Int) throws(Failure) -> JSONValue {
        guard depth <= Self.maximumDepth else { throw fail("nested deeper than \(Self.maximumDepth) levels") }
        index += 1
        var elements: [JSONValue] = []
        elements.reserveCapacity(4)
        skipSpace()
        if index < bytes.count && bytes[index] == 0x5D {
            index += 1
            return .array(elements)
        }
        while true {
            skipSpace()
            elements.append(try value(depth: depth))
            skipSpace()
            guard index < bytes.count else { throw fail("unexpected end of the record") }
            if bytes[index] == 0x2C {
                index += 1
                continue
            }
            guard bytes[index] == 0x5D else { throw fail("expected ',' or ']'") }
            index += 1
            return .array(elements)
        }
    }

    mutating func number() throws(Failure) -> JSONValue {
        let start = index
        if bytes[index] == 0x2D { index += 1 }
        let digitsStart = index
        while index < bytes.count, (0x30...0x39).contains(bytes[index]) { index += 1 }
        guard index > digitsStart else { throw fail("expected a digit") }
        guard bytes[digitsStart] != 0x30 || index == digitsStart + 1 else { throw fail("a number with a leading zero") }
        var isInteger = true
        if index < bytes.count && bytes[index] == 0x2E {
            isInteger = false
            index += 1
            let fractionStart = index
            while index < bytes.count, (0x30...0x39).contains(bytes[index]) { index += 1 }
            guard index > fractionStart else { throw fail("expected a digit after '.'") }
        }
        if index < bytes.count && (bytes[index] == 0x65 || bytes[index] == 0x45) {
            isInteger = false
            index += 1
            if index < bytes.count && (bytes[index] == 0x2B || bytes[index] == 0x2D) { index += 1 }
            let exponentStart = index
            while index < bytes.count, (0x30...0x39).contains(bytes[index]) { index += 1 }
            guard index > exponentStart else { throw fail("expected a digit in the exponent") }
        }
        // Integers of up to 18 digits (prices, years, sizes) fit an Int64 whatever their digits:
        // summed in place, without a `String` of them parsed again by `Int64(_:)`.
        if isInteger && index - digitsStart <= 18 {
            var magnitude: Int64 = 0
            for offset in digitsStart..<index { magnitude = magnitude &* 10 &+ Int64(bytes[offset] &- 0x30) }
            return .integer(digitsStart > start ? -magnitude : magnitude)
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        if isInteger, let integer = Int64(text) { return .integer(integer) }
        guard let number = Double(text), number.isFinite else {
            throw Failure(offset: start, reason: "number out of range")
        }
        return .number(number)
    }

    mutating func string() throws(Failure) -> String {
        index += 1
        let start = index
        let seen = skipPlainRun()
        if index < bytes.count, bytes[index] == 0x22 {
            let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
            index += 1
            guard let text = String(validatingUTF8: raw, knownASCII: seen < 0x80) else {
                throw Failure(offset: start, reason: "a string that is not valid UTF-8")
            }
            return text
        }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case 0x22:
                guard let text = String(validating: scratch, as: UTF8.self) else {
                    throw Failure(offset: start, reason: "a string that is not valid UTF-8")
                }
                return text
            case 0x5C:
                guard index < bytes.count else { throw fail("unexpected end of the record") }
                let escape = bytes[index]
                index += 1
                switch escape {
                case 0x22, 0x5C, 0x2F: scratch.append(escape)
                case 0x62: scratch.append(0x08)
                case 0x66: scratch.append(0x0C)
                case 0x6E: scratch.append(0x0A)
                case 0x72: scratch.append(0x0D)
                case 0x74: scratch.append(0x09)
                case 0x75:
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard index + 1 < bytes.count, bytes[index] == 0x5C, bytes[index + 1] == 0x75 else {
                            throw fail("an unpaired surrogate escape")
                        }
                        index += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw fail("an unpaired surrogate escape") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00..<0xE000).contains(scalar) {
                        throw fail("an unpaired surrogate escape")
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw fail("an invalid \\u escape") }
                    scratch.append(contentsOf: String(Character(unicode)).utf8)
                default:
                    throw fail("an invalid escape")
                }
            default:
                guard byte >= 0x20 else { throw fail("a raw control character in a string") }
                scratch.append(byte)
            }
        }
        throw fail("a string is not closed")
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        guard index + 4 <= bytes.count else { throw fail("an incomplete \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            index += 1
            let digit: UInt32
            switch byte {
            case 0x30...0x39: digit = UInt32(byte - 0x30)
            case 0x41...0x46: digit = UInt32(byte - 0x41 + 10)
            case 0x61...0x66: digit = UInt32(byte - 0x61 + 10)
            default: throw fail("an invalid \\u escape")
            }
            value = value << 4 | digit
        }
        return value
    }
}

/// Splitting a CSV row into cells (RFC 4180: `"` quotes, `""` inside quotes is one quote).
enum CSVRow {
    static func cells(_ row: ArraySlice<UInt8>) -> Result<[String], CSVFailure> {
        var cells: [String] = []
        var cell: [UInt8] = []
        var index = row.startIndex
        var quoted = false
        var cellStarted = true
        while index < row.endIndex {
            let byte = row[index]
            if quoted {
                if byte == 0x22 {
                    if index + 1 < row.endIndex && row[index + 1] == 0x22 {
                        cell.append(0x22)
                        index += 2
                        continue
                    }
                    quoted = false
                } else {
                    cell.append(byte)
                }
            } else if byte == 0x2C {
                guard let text = String(validating: cell, as: UTF8.self) else {
                    return .failure(.invalidUTF8(cells.count))
                }
                cells.append(text)
                cell.removeAll(keepingCapacity: true)
                cellStarted = true
                index += 1
                continue
            } else if byte == 0x22 && cellStarted && cell.isEmpty {
                quoted = true
            } else if byte == 0x22 {
                return .failure(.strayQuote(cells.count))
            } else {
                cell.append(byte)
            }
            cellStarted = false
            index += 1
        }
        guard let text = String(validating: cell, as: UTF8.self) else { return .failure(.invalidUTF8(cells.count)) }
        cells.append(text)
        return .success(cells)
    }

    enum CSVFailure: Error {
        case invalidUTF8(Int)
        case strayQuote(Int)
    }
}
