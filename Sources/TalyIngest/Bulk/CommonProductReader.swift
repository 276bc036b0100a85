import Foundation
import TalyStore

/// A product record of the usual shape read straight from its bytes into a draft, without the
/// `JSONValue` tree: the member names are matched as bytes (not made into strings and switched
/// on), and the attributes' JSON text for the writer is copied from the record in name order
/// instead of being written again from the dictionary (its sort and escaping scans were ~40% of
/// a short record's work on a parser thread).
///
/// Anything off that shape gives nil and the general path (`JSONParser.parse`, then
/// `BulkRecordDecoder.productDraft`) reads the record again, so rejections keep their words:
/// a member name with an escape, an unknown or repeated member, an attribute that is not a
/// string, number or boolean or whose name or string has an escape, more than
/// `maximumCommonAttributes` attributes, or any value the draft's own checks refuse.
extension JSONParser {
    /// Records with more attributes than this take the general path (the spans live on the stack).
    static let maximumCommonAttributes = 32

    /// Where an attribute is in the record, and its value when it is not copied as text.
    struct AttributeSpan {
        enum Kind {
            /// A string without escapes: its quoted bytes are its canonical JSON text.
            case text(isASCII: Bool)
            case integer(Int64)
            case number(Double)
            case bool(Bool)
        }

        let nameStart: Int
        let nameCount: Int
        let nameIsASCII: Bool
        /// The value's bytes; a string's without its quotes.
        let valueStart: Int
        let valueCount: Int
        let kind: Kind
    }

    /// The draft of a product record of the usual shape, serialized for the writer when
    /// `serializesForWrite`; nil when the general path must read it.
    static func commonProductDraft(_ bytes: UnsafeRawBufferPointer, serializesForWrite: Bool) -> ProductDraft? {
        withUnsafeTemporaryAllocation(of: AttributeSpan.self, capacity: maximumCommonAttributes) { spans in
            var parser = JSONParser(bytes: bytes)
            return parser.commonProductDraft(spans: spans, serializesForWrite: serializesForWrite)
        }
    }

    private mutating func commonProductDraft(
        spans: UnsafeMutableBufferPointer<AttributeSpan>, serializesForWrite: Bool
    ) -> ProductDraft? {
        skipSpace()
        guard index < bytes.count, bytes[index] == 0x7B else { return nil }
        index += 1
        var sku: String?
        var title: String?
        var description = ""
        var status = ProductStatus.draft
        var amount: Int64?
        var currency: String?
        var attributeCount = 0
        var seen: UInt8 = 0
        while true {
            skipSpace()
            guard let name = plainText(), name.count <= 11 else { return nil }
            let member: UInt8
            if textIs(name, "sku") {
                member = 1
            } else if textIs(name, "title") {
                member = 2
            } else if textIs(name, "description") {
                member = 4
            } else if textIs(name, "price") {
                member = 8
            } else if textIs(name, "attributes") {
                member = 16
            } else if textIs(name, "status") {
                member = 32
            } else {
                return nil
            }
            guard seen & member == 0, colon() else { return nil }
            seen |= member
            switch member {
            case 1:
                guard let text = quotedString() else { return nil }
                sku = text
            case 2:
                guard let text = quotedString() else { return nil }
                title = text
            case 4:
                guard let text = quotedString() else { return nil }
                description = text
            case 8: guard commonPrice(amount: &amount, currency: &currency) else { return nil }
            case 16:
                guard let count = commonAttributes(spans: spans) else { return nil }
                attributeCount = count
            default:
                // Matched as bytes, without a String to switch on; an escaped status takes the
                // general path.
                guard let text = plainText() else { return nil }
                if textIs(text, "active") {
                    status = .active
                } else if textIs(text, "draft") {
                    status = .draft
                } else if textIs(text, "archived") {
                    status = .archived
                } else {
                    return nil
                }
            }
            guard endsMember(closing: 0x7D) else { return nil }
            if bytes[index - 1] == 0x7D { break }
        }
        skipSpace()
        guard index == bytes.count, let sku, let title, let amount, let currency else { return nil }
        // Sized once: `reserveCapacity` went through the standard library's unspecialized resize.
        var attributes = [String: AttributeValue](minimumCapacity: attributeCount)
        if attributeCount > 0 {
            for span in spans[0..<attributeCount] {
                guard let name = text(span.nameStart, span.nameCount, isASCII: span.nameIsASCII) else { return nil }
                switch span.kind {
                case .text(let isASCII):
                    guard let value = text(span.valueStart, span.valueCount, isASCII: isASCII) else { return nil }
                    attributes[name] = .string(value)
                case .integer(let value): attributes[name] = .integer(value)
                case .number(let value): attributes[name] = .number(value)
                case .bool(let value): attributes[name] = .bool(value)
                }
            }
        }
        guard let price = try? Money(amount: amount, currency: currency) else { return nil }
        var checked = true
        for span in spans[0..<attributeCount] where !isValidAttribute(span) {
            checked = false
            break
        }
        guard
            var draft = checked
                ? try? ProductDraft(
                    sku: sku, title: title, description: description, price: price, checkedAttributes: attributes,
                    status: status)
                : try? ProductDraft(
                    sku: sku, title: title, description: description, price: price, attributes: attributes,
                    status: status)
        else { return nil }
        guard serializesForWrite else { return draft }
        if let payload = attributesPayload(UnsafeMutableBufferPointer(rebasing: spans[0..<attributeCount])) {
            draft.serializeForWrite(attributesPayload: payload)
        } else {
            draft.serializeForWrite()
        }
        return draft
    }

    /// `{"amount": integer, "currency": string}`, each once, in either order.
    private mutating func commonPrice(amount: inout Int64?, currency: inout String?) -> Bool {
        guard index < bytes.count, bytes[index] == 0x7B else { return false }
        index += 1
        while true {
            skipSpace()
            guard let name = plainText() else { return false }
            if textIs(name, "amount") {
                guard amount == nil, colon(), index < bytes.count, case .integer(let value)? = try? number() else {
                    return false
                }
                amount = value
            } else if textIs(name, "currency") {
                guard currency == nil, colon(), let text = quotedString() else { return false }
                currency = text
            } else {
                return false
            }
            guard endsMember(closing: 0x7D) else { return false }
            if bytes[index - 1] == 0x7D { return true }
        }
    }

    /// The attributes object's members as spans; their count, or nil off the usual shape.
    private mutating func commonAttributes(spans: UnsafeMutableBufferPointer<AttributeSpan>) -> Int? {
        guard index < bytes.count, bytes[index] == 0x7B else { return nil }
        index += 1
        skipSpace()
        if index < bytes.count, bytes[index] == 0x7D {
            index += 1
            return 0
        }
        var count = 0
        while true {
            skipSpace()
            guard count < spans.count, let name = plainText(), colon(), index < bytes.count else { return nil }
            let valueStart = index
            let kind: AttributeSpan.Kind
            var valueRange = (start: valueStart, count: 0)
            switch bytes[index] {
            case 0x22:
                guard let value = plainText() else { return nil }
                valueRange = (value.start, value.count)
                kind = .text(isASCII: value.isASCII)
            case 0x74:
                guard (try? literal("true")) != nil else { return nil }
                kind = .bool(true)
            case 0x66:
                guard (try? literal("false")) != nil else { return nil }
                kind = .bool(false)
            case 0x2D, 0x30...0x39:
                switch try? number() {
                case .integer(let value)?: kind = .integer(value)
                case .number(let value)?: kind = .number(value)
                default: return nil
                }
            default:
                return nil
            }
            (spans.baseAddress! + count).initialize(
                to: AttributeSpan(
                    nameStart: name.start, nameCount: name.count, nameIsASCII: name.isASCII,
                    valueStart: valueRange.start, valueCount: valueRange.count, kind: kind))
            count += 1
            guard endsMember(closing: 0x7D) else { return nil }
            if bytes[index - 1] == 0x7D { return count }
        }
    }

    /// The attributes' canonical payload text (`CanonicalJSONWriter(escapesSlashes: false)`'s):
    /// names in UTF-8 byte order, each name and string copied from the record (without escapes,
    /// neither holds a byte the writer escapes), integers and booleans as the writer writes them,
    /// into a string of the exact length. Nil when a name appears twice (the dictionary kept the
    /// last value) or a value is a fraction (written as Swift prints it): the dictionary's own
    /// serialization then writes them.
    private func attributesPayload(_ spans: UnsafeMutableBufferPointer<AttributeSpan>) -> String? {
        let base = bytes.baseAddress!
        // Insertion sort: a record has a handful of attributes.
        if spans.count > 1 {
            for next in 1..<spans.count {
                let span = spans[next]
                var at = next
                while at > 0 {
                    let order = Self.compare(base, spans[at - 1], span)
                    if order == 0 { return nil }
                    if order < 0 { break }
                    spans[at] = spans[at - 1]
                    at -= 1
                }
                spans[at] = span
            }
        }
        // `{`, `}`, a comma between members, `"name":` per member.
        var length = 2 + max(spans.count - 1, 0)
        for span in spans {
            length += span.nameCount + 3
            switch span.kind {
            case .text: length += span.valueCount + 2
            case .integer(let value): length += Self.decimalCount(value)
            case .bool(let value): length += value ? 4 : 5
            case .number: return nil
            }
        }
        return String(unsafeUninitializedCapacity: length) { buffer in
            let out = UnsafeMutableRawPointer(buffer.baseAddress!)
            out.storeBytes(of: 0x7B, toByteOffset: 0, as: UInt8.self)
            var at = 1
            for (position, span) in spans.enumerated() {
                if position > 0 {
                    out.storeBytes(of: 0x2C, toByteOffset: at, as: UInt8.self)
                    at += 1
                }
                // The name with its quotes, then `:`.
                (out + at).copyMemory(from: base + span.nameStart - 1, byteCount: span.nameCount + 2)
                at += span.nameCount + 2
                out.storeBytes(of: 0x3A, toByteOffset: at, as: UInt8.self)
                at += 1
                switch span.kind {
                case .text:
                    (out + at).copyMemory(from: base + span.valueStart - 1, byteCount: span.valueCount + 2)
                    at += span.valueCount + 2
                case .integer(let value):
                    let count = Self.decimalCount(value)
                    if value < 0 { out.storeBytes(of: 0x2D, toByteOffset: at, as: UInt8.self) }
                    var magnitude = value.magnitude
                    var digit = at + count - 1
                    repeat {
                        out.storeBytes(of: 0x30 + UInt8(magnitude % 10), toByteOffset: digit, as: UInt8.self)
                        magnitude /= 10
                        digit -= 1
                    } while magnitude > 0
                    at += count
                case .bool(let value):
                    let word: StaticString = value ? "true" : "false"
                    (out + at).copyMemory(from: word.utf8Start, byteCount: word.utf8CodeUnitCount)
                    at += word.utf8CodeUnitCount
                case .number:
                    break
                }
            }
            out.storeBytes(of: 0x7D, toByteOffset: at, as: UInt8.self)
            return at + 1
        }
    }

    /// How many bytes `CanonicalJSONWriter.integer` writes for `value`.
    private static func decimalCount(_ value: Int64) -> Int {
        var magnitude = value.magnitude
        var count = value < 0 ? 2 : 1
        while magnitude >= 10 {
            magnitude /= 10
            count += 1
        }
        return count
    }

    /// Whether `AttributeValue`'s checks pass for this attribute, told from its bytes: an ASCII
    /// name of 1 to `maximumNameLength` bytes without controls (`plainText` let none below 0x20
    /// through; DEL is looked for here) and a string of at most `maximumStringLength` bytes, so
    /// as many characters; numbers read are finite. False sends the draft through the checks.
    private func isValidAttribute(_ span: AttributeSpan) -> Bool {
        guard span.nameIsASCII, span.nameCount > 0, span.nameCount <= AttributeValue.maximumNameLength else {
            return false
        }
        for offset in span.nameStart..<span.nameStart + span.nameCount where bytes[offset] == 0x7F { return false }
        if case .text = span.kind { return span.valueCount <= AttributeValue.maximumStringLength }
        return true
    }

    /// The order of two attributes' names by their bytes, as `CanonicalJSONWriter.utf8Precedes`.
    private static func compare(_ base: UnsafeRawPointer, _ lhs: AttributeSpan, _ rhs: AttributeSpan) -> Int {
        let common = min(lhs.nameCount, rhs.nameCount)
        let order = common == 0 ? 0 : memcmp(base + lhs.nameStart, base + rhs.nameStart, common)
        if order != 0 { return Int(order) }
        return lhs.nameCount - rhs.nameCount
    }

    /// A string at `index` without escapes or control bytes: where its bytes are (quotes left
    /// out) and whether all are ASCII; nil for any other string, `index` then undefined.
    private mutating func plainText() -> (start: Int, count: Int, isASCII: Bool)? {
        guard index < bytes.count, bytes[index] == 0x22 else { return nil }
        index += 1
        let start = index
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
            if byte == 0x22 {
                index += 1
                return (start, index - 1 - start, seen < 0x80)
            }
            if byte == 0x5C || byte < 0x20 { return nil }
            seen |= byte
            index += 1
        }
        return nil
    }

    /// A string at `index`, escapes and all; nil for anything else.
    private mutating func quotedString() -> String? {
        guard index < bytes.count, bytes[index] == 0x22 else { return nil }
        return try? string()
    }

    /// Whether the plain text `name` (`plainText`'s) is `word`.
    private func textIs(_ name: (start: Int, count: Int, isASCII: Bool), _ word: StaticString) -> Bool {
        name.count == word.utf8CodeUnitCount && memcmp(bytes.baseAddress! + name.start, word.utf8Start, name.count) == 0
    }

    private func text(_ start: Int, _ count: Int, isASCII: Bool) -> String? {
        String(validatingUTF8: UnsafeRawBufferPointer(rebasing: bytes[start..<start + count]), knownASCII: isASCII)
    }

    /// Skips the `:` after a member name and the space around it.
    private mutating func colon() -> Bool {
        skipSpace()
        guard index < bytes.count, bytes[index] == 0x3A else { return false }
        index += 1
        skipSpace()
        return true
    }

    /// Skips the `,` or `closing` after a member's value; the byte before `index` tells which.
    private mutating func endsMember(closing: UInt8) -> Bool {
        skipSpace()
        guard index < bytes.count, bytes[index] == 0x2C || bytes[index] == closing else { return false }
        index += 1
        return true
    }
}
