import Foundation

/// Reads the JSON the store wrote (content fields, product attributes) into the values
/// `JSONDecoder` would give, without its cost (tens of microseconds per row on Linux).
///
/// It answers nil for anything outside what `CanonicalJSONWriter` writes plus plain JSON
/// whitespace and escapes (a number out of range, a duplicate key, a lone surrogate, bad
/// syntax); callers then ask `JSONDecoder`, so odd rows keep exactly their old meaning.
struct StoredJSONReader: ~Copyable {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// The object of content values in `text`, or nil (see the type's comment).
    static func contentFields(_ text: String) -> [String: ContentValue]? {
        var text = text
        return text.withUTF8 { utf8 in
            var reader = StoredJSONReader(utf8)
            guard case .object(let fields)? = reader.contentValue(depth: 0), reader.atEnd() else { return nil }
            return fields
        }
    }

    /// The object of attribute values in `text`, or nil (see the type's comment).
    static func attributes(_ text: String) -> [String: AttributeValue]? {
        var text = text
        return text.withUTF8 { utf8 in
            var reader = StoredJSONReader(utf8)
            guard let attributes = reader.attributeObject(), reader.atEnd() else { return nil }
            return attributes
        }
    }

    /// The attributes in `text` as (name, value) pairs in the text's order, or nil: nil too when
    /// the names are not in strictly increasing order, as the store writes them (then
    /// ``attributes(_:)`` decides, which also rejects a name given twice).
    static func attributeList(_ text: String) -> [(key: String, value: AttributeValue)]? {
        var text = text
        return text.withUTF8 { utf8 in attributeList(utf8: utf8) }
    }

    /// `attributeList(_:)` of a text's UTF-8 bytes (a column read in place), which need not be
    /// valid UTF-8: a string that is not is nil, as anything else the reader does not take.
    static func attributeList(utf8: UnsafeBufferPointer<UInt8>) -> [(key: String, value: AttributeValue)]? {
        var reader = StoredJSONReader(utf8)
        guard let attributes = reader.attributeMembers(), reader.atEnd() else { return nil }
        return attributes
    }

    // MARK: - Values

    /// As `ContentValue.init(from:)` through `JSONDecoder`: null, bool, number, string, array, object.
    private mutating func contentValue(depth: Int) -> ContentValue? {
        guard depth < 512, let byte = peek() else { return nil }
        switch byte {
        case UInt8(ascii: "{"):
            position += 1
            var members: [String: ContentValue] = [:]
            if consume(UInt8(ascii: "}")) { return .object(members) }
            repeat {
                guard let key = string(), consume(UInt8(ascii: ":")), let value = contentValue(depth: depth + 1),
                    members.updateValue(value, forKey: key) == nil
                else { return nil }
            } while consume(UInt8(ascii: ","))
            return consume(UInt8(ascii: "}")) ? .object(members) : nil
        case UInt8(ascii: "["):
            position += 1
            var elements: [ContentValue] = []
            if consume(UInt8(ascii: "]")) { return .array(elements) }
            repeat {
                guard let element = contentValue(depth: depth + 1) else { return nil }
                elements.append(element)
            } while consume(UInt8(ascii: ","))
            return consume(UInt8(ascii: "]")) ? .array(elements) : nil
        case UInt8(ascii: "\""):
            return string().map(ContentValue.string)
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            return literal().map { $0.map(ContentValue.bool) ?? .null }
        default:
            guard let token = numberToken(), let number = Double(token), number.isFinite else { return nil }
            return .number(number)
        }
    }

    private mutating func attributeObject() -> [String: AttributeValue]? {
        guard consume(UInt8(ascii: "{")) else { return nil }
        var members: [String: AttributeValue] = [:]
        if consume(UInt8(ascii: "}")) { return members }
        // Growing from empty resized the table two or three times per product.
        members.reserveCapacity(8)
        repeat {
            guard let key = string(), consume(UInt8(ascii: ":")), let value = attributeValue(depth: 1),
                members.updateValue(value, forKey: key) == nil
            else { return nil }
        } while consume(UInt8(ascii: ","))
        return consume(UInt8(ascii: "}")) ? members : nil
    }

    /// An attribute object's members, their names strictly increasing (so none twice), or nil.
    private mutating func attributeMembers() -> [(key: String, value: AttributeValue)]? {
        guard consume(UInt8(ascii: "{")) else { return nil }
        var members: [(key: String, value: AttributeValue)] = []
        if consume(UInt8(ascii: "}")) { return members }
        members.reserveCapacity(8)
        repeat {
            guard let key = string(), members.last.map({ $0.key < key }) ?? true, consume(UInt8(ascii: ":")),
                let value = attributeValue(depth: 1)
            else { return nil }
            members.append((key, value))
        } while consume(UInt8(ascii: ","))
        return consume(UInt8(ascii: "}")) ? members : nil
    }

    /// As `AttributeValue.init(from:)` through `JSONDecoder`: an array, a bool, a number that is
    /// an exact integer in Int64's range as `.integer` (`3`, `3.0`, `1e+16`), other finite numbers
    /// as `.number`, a string; null and objects are left to the decoder (they are errors).
    private mutating func attributeValue(depth: Int) -> AttributeValue? {
        guard depth < 512, let byte = peek() else { return nil }
        switch byte {
        case UInt8(ascii: "["):
            position += 1
            var elements: [AttributeValue] = []
            if consume(UInt8(ascii: "]")) { return .array(elements) }
            repeat {
                guard let element = attributeValue(depth: depth + 1) else { return nil }
                elements.append(element)
            } while consume(UInt8(ascii: ","))
            return consume(UInt8(ascii: "]")) ? .array(elements) : nil
        case UInt8(ascii: "\""):
            return string().map(AttributeValue.string)
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            return literal().flatMap { $0.map(AttributeValue.bool) }
        default:
            guard let token = numberToken() else { return nil }
            if let integer = Self.exactInteger(token) { return .integer(integer) }
            guard let number = Double(token), number.isFinite else { return nil }
            return .number(number)
        }
    }

    /// The integer a number's decimal text denotes exactly, if it is one in Int64's range: how
    /// `JSONDecoder` reads an Int64 (`3.0` → 3, `4.68748594271479e+16` → 46874859427147900, the
    /// decimal digits rather than the nearest Double).
    private static func exactInteger(_ token: Substring) -> Int64? {
        var utf8 = token.utf8[...]
        let negative = utf8.first == UInt8(ascii: "-")
        if negative { utf8 = utf8.dropFirst() }
        // Plain integers of up to 18 digits (most of them) cannot overflow: no digit array.
        if utf8.count <= 18, utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) {
            var value: Int64 = 0
            for byte in utf8 { value = value * 10 + Int64(byte - UInt8(ascii: "0")) }
            return negative ? -value : value
        }
        var digits: [UInt8] = []
        var fractionDigits = 0
        var inFraction = false
        var exponent = 0
        while let byte = utf8.popFirst() {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                digits.append(byte - UInt8(ascii: "0"))
                if inFraction { fractionDigits += 1 }
            case UInt8(ascii: "."):
                inFraction = true
            default:
                // The exponent; JSON's grammar was checked by `numberToken`.
                guard let value = Int(Substring(utf8)), abs(value) < 1000 else { return nil }
                exponent = value
                utf8 = utf8.dropFirst(utf8.count)
            }
        }
        var scale = exponent - fractionDigits
        while scale < 0, digits.last == 0 {
            digits.removeLast()
            scale += 1
        }
        guard scale >= 0 else { return nil }
        var magnitude: UInt64 = 0
        for digit in digits + repeatElement(0, count: scale) {
            let (times10, overflow) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, carry) = times10.addingReportingOverflow(UInt64(digit))
            guard !overflow, !carry else { return nil }
            magnitude = sum
            if magnitude > 1 << 63 { return nil }
        }
        if negative { return magnitude == 1 << 63 ? Int64.min : -Int64(magnitude) }
        return magnitude < 1 << 63 ? Int64(magnitude) : nil
    }

    // MARK: - Tokens

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): position += 1
            default: return
            }
        }
    }

    private mutating func peek() -> UInt8? {
        skipWhitespace()
        return position < bytes.count ? bytes[position] : nil
    }

    private mutating func consume(_ byte: UInt8) -> Bool {
        guard peek() == byte else { return false }
        position += 1
        return true
    }

    private mutating func atEnd() -> Bool {
        peek() == nil
    }

    /// `true`, `false` (as a Bool) or `null` (as nil inside the optional).
    private mutating func literal() -> Bool?? {
        for (word, value) in [("true", true as Bool?), ("false", false), ("null", nil)] {
            let utf8 = word.utf8
            if bytes.count - position >= utf8.count, zip(bytes[position...], utf8).allSatisfy({ $0 == $1 }) {
                position += utf8.count
                return .some(value)
            }
        }
        return nil
    }

    /// A number's text, checked against JSON's grammar (`-? int frac? exp?`).
    private mutating func numberToken() -> Substring? {
        let start = position
        func digits() -> Int {
            let first = position
            while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
                position += 1
            }
            return position - first
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "-") { position += 1 }
        let integerStart = position
        let integerDigits = digits()
        guard integerDigits > 0, integerDigits == 1 || bytes[integerStart] != UInt8(ascii: "0") else { return nil }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard digits() > 0 else { return nil }
        }
        if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard digits() > 0 else { return nil }
        }
        return Substring(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
    }

    /// A string token's value, escapes resolved; nil if malformed or holding a lone surrogate.
    private mutating func string() -> String? {
        guard consume(UInt8(ascii: "\"")) else { return nil }
        let start = position
        var seen: UInt8 = 0
        // The common case: no escapes, so the bytes are the string.
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let raw = UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[start..<position]))
                position += 1
                return String(validatingUTF8: raw, knownASCII: seen < 0x80)
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { break }
            seen |= byte
            position += 1
        }
        var unescaped = Array(bytes[start..<position])
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(validating: unescaped, as: UTF8.self)
            case 0x00..<0x20:
                return nil
            case UInt8(ascii: "\\"):
                guard position < bytes.count else { return nil }
                let escaped = bytes[position]
                position += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): unescaped.append(escaped)
                case UInt8(ascii: "b"): unescaped.append(0x08)
                case UInt8(ascii: "f"): unescaped.append(0x0C)
                case UInt8(ascii: "n"): unescaped.append(0x0A)
                case UInt8(ascii: "r"): unescaped.append(0x0D)
                case UInt8(ascii: "t"): unescaped.append(0x09)
                case UInt8(ascii: "u"):
                    guard var scalar = hexQuad() else { return nil }
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard consumeLiteral("\\u"), let low = hexQuad(), (0xDC00..<0xE000).contains(low) else {
                            return nil
                        }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { return nil }
                    unescaped.append(contentsOf: String(Character(unicode)).utf8)
                default:
                    return nil
                }
            default:
                unescaped.append(byte)
            }
        }
        return nil
    }

    private mutating func consumeLiteral(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard bytes.count - position >= count else { return false }
        for offset in 0..<count where bytes[position + offset] != literal.utf8Start[offset] { return false }
        position += count
        return true
    }

    private mutating func hexQuad() -> UInt32? {
        guard bytes.count - position >= 4 else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }
}
