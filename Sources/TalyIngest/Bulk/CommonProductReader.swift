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
/// string, number, boolean or array of them or whose name or string has an escape, more than
/// `maximumCommonAttributes` attributes or `maximumCommonElements` array elements, or any value
/// the draft's own checks refuse.
extension JSONParser {
    /// Records with more attributes than this take the general path (the spans live on the stack).
    static let maximumCommonAttributes = 32
    /// Records whose attributes' arrays hold more elements than this in all take the general path.
    static let maximumCommonElements = 256

    /// Where an attribute is in the record, and its value when it is not copied as text.
    struct AttributeSpan {
        enum Kind {
            /// A string without escapes: its quoted bytes are its canonical JSON text.
            case text(isASCII: Bool)
            case integer(Int64)
            case number(Double)
            case bool(Bool)
            /// An array of the kinds above: `count` elements from `first` in the element spans.
            case array(first: Int, count: Int)
        }

        let nameStart: Int
        let nameCount: Int
        let nameIsASCII: Bool
        /// The value's bytes; a string's without its quotes.
        let valueStart: Int
        let valueCount: Int
        let kind: Kind
    }

    /// An element of an attribute's array: where its bytes are (a string's without its quotes),
    /// and its kind, never `.array`.
    struct ElementSpan {
        let start: Int
        let count: Int
        let kind: AttributeSpan.Kind
    }

    /// The draft of a product record of the usual shape, serialized for the writer when
    /// `serializesForWrite`; nil when the general path must read it.
    static func commonProductDraft(_ bytes: UnsafeRawBufferPointer, serializesForWrite: Bool) -> ProductDraft? {
        // One allocation for both kinds of span: past 1 KiB each one asks whether the thread's
        // stack has room, which cost as much as a short record's attributes.
        let spansBytes = MemoryLayout<AttributeSpan>.stride * maximumCommonAttributes
        let elementsOffset =
            (spansBytes + MemoryLayout<ElementSpan>.alignment - 1) / MemoryLayout<ElementSpan>.alignment
            * MemoryLayout<ElementSpan>.alignment
        return withUnsafeTemporaryAllocation(
            byteCount: elementsOffset + MemoryLayout<ElementSpan>.stride * maximumCommonElements,
            alignment: max(MemoryLayout<AttributeSpan>.alignment, MemoryLayout<ElementSpan>.alignment)
        ) { raw in
            let spans = UnsafeMutableBufferPointer(
                start: raw.baseAddress!.bindMemory(to: AttributeSpan.self, capacity: maximumCommonAttributes),
                count: maximumCommonAttributes)
            let elements = UnsafeMutableBufferPointer(
                start: (raw.baseAddress! + elementsOffset).bindMemory(
                    to: ElementSpan.self, capacity: maximumCommonElements),
                count: maximumCommonElements)
            var parser = JSONParser(bytes: bytes)
            return parser.commonProductDraft(spans: spans, elements: elements, serializesForWrite: serializesForWrite)
        }
    }

    private mutating func commonProductDraft(
        spans: UnsafeMutableBufferPointer<AttributeSpan>, elements: UnsafeMutableBufferPointer<ElementSpan>,
        serializesForWrite: Bool
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
                guard let count = commonAttributes(spans: spans, elements: elements) else { return nil }
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
                guard let name = text(span.nameStart, span.nameCount, isASCII: span.nameIsASCII),
                    let value = attributeValue(span.kind, start: span.valueStart, count: span.valueCount, elements)
                else { return nil }
                attributes[name] = value
            }
        }
        guard let price = try? Money(amount: amount, currency: currency) else { return nil }
        var checked = true
        for span in spans[0..<attributeCount] where !isValidAttribute(span, elements) {
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
        if let payload = attributesPayload(
            UnsafeMutableBufferPointer(rebasing: spans[0..<attributeCount]), UnsafeBufferPointer(elements))
        {
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

    /// The attributes object's members as spans (their arrays' elements in `elements`); their
    /// count, or nil off the usual shape.
    private mutating func commonAttributes(
        spans: UnsafeMutableBufferPointer<AttributeSpan>, elements: UnsafeMutableBufferPointer<ElementSpan>
    ) -> Int? {
        guard index < bytes.count, bytes[index] == 0x7B else { return nil }
        index += 1
        skipSpace()
        if index < bytes.count, bytes[index] == 0x7D {
            index += 1
            return 0
        }
        var count = 0
        var elementCount = 0
        while true {
            skipSpace()
            guard count < spans.count, let name = plainText(), colon(), index < bytes.count else { return nil }
            let value: ElementSpan
            if bytes[index] == 0x5B {
                // An array of scalars, as the catalogs' tag lists: its elements go to `elements`.
                index += 1
                skipSpace()
                let first = elementCount
                if index < bytes.count, bytes[index] == 0x5D {
                    index += 1
                } else {
                    while true {
                        skipSpace()
                        guard elementCount < elements.count, let element = scalarSpan() else { return nil }
                        (elements.baseAddress! + elementCount).initialize(to: element)
                        elementCount += 1
                        guard endsMember(closing: 0x5D) else { return nil }
                        if bytes[index - 1] == 0x5D { break }
                    }
                }
                value = ElementSpan(start: 0, count: 0, kind: .array(first: first, count: elementCount - first))
            } else {
                guard let scalar = scalarSpan() else { return nil }
                value = scalar
            }
            (spans.baseAddress! + count).initialize(
                to: AttributeSpan(
                    nameStart: name.start, nameCount: name.count, nameIsASCII: name.isASCII,
                    valueStart: value.start, valueCount: value.count, kind: value.kind))
            count += 1
            guard endsMember(closing: 0x7D) else { return nil }
            if bytes[index - 1] == 0x7D { return count }
        }
    }

    /// A string without escapes, a number or a boolean at `index`; nil for anything else.
    private mutating func scalarSpan() -> ElementSpan? {
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case 0x22:
            guard let value = plainText() else { return nil }
            return ElementSpan(start: value.start, count: value.count, kind: .text(isASCII: value.isASCII))
        case 0x74:
            guard (try? literal("true")) != nil else { return nil }
            return ElementSpan(start: 0, count: 0, kind: .bool(true))
        case 0x66:
            guard (try? literal("false")) != nil else { return nil }
            return ElementSpan(start: 0, count: 0, kind: .bool(false))
        case 0x2D, 0x30...0x39:
            switch try? number() {
            case .integer(let value)?: return ElementSpan(start: 0, count: 0, kind: .integer(value))
            case .number(let value)?: return ElementSpan(start: 0, count: 0, kind: .number(value))
            default: return nil
            }
        default:
            return nil
        }
    }

    /// The attribute value of a span's kind; nil when a string is not valid UTF-8.
    private func attributeValue(
        _ kind: AttributeSpan.Kind, start: Int, count: Int, _ elements: UnsafeMutableBufferPointer<ElementSpan>
    ) -> AttributeValue? {
        guard case .array(let first, let elementCount) = kind else {
            return scalarValue(kind, start: start, count: count)
        }
        var values: [AttributeValue] = []
        values.reserveCapacity(elementCount)
        for element in elements[first..<first + elementCount] {
            guard let value = scalarValue(element.kind, start: element.start, count: element.count) else { return nil }
            values.append(value)
        }
        return .array(values)
    }

    /// `attributeValue` of a scalar (an array's element, or most attributes): not recursive, so
    /// it is inlined where most values go.
    @inline(__always)
    private func scalarValue(_ kind: AttributeSpan.Kind, start: Int, count: Int) -> AttributeValue? {
        switch kind {
        case .text(let isASCII): text(start, count, isASCII: isASCII).map { .string($0) }
        case .integer(let value): .integer(value)
        case .number(let value): .number(value)
        case .bool(let value): .bool(value)
        case .array: nil
        }
    }

    /// The attributes' canonical payload text (`CanonicalJSONWriter(escapesSlashes: false)`'s):
    /// names in UTF-8 byte order, each name and string copied from the record (without escapes,
    /// neither holds a byte the writer escapes), integers and booleans as the writer writes them,
    /// into a string of the exact length. Nil when a name appears twice (the dictionary kept the
    /// last value) or a value is a fraction (written as Swift prints it): the dictionary's own
    /// serialization then writes them.
    private func attributesPayload(
        _ spans: UnsafeMutableBufferPointer<AttributeSpan>, _ elements: UnsafeBufferPointer<ElementSpan>
    ) -> String? {
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
            guard let valueLength = Self.payloadLength(span.kind, count: span.valueCount, elements) else { return nil }
            length += span.nameCount + 3 + valueLength
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
                Self.writePayload(
                    span.kind, start: span.valueStart, count: span.valueCount, from: base, elements, to: out, at: &at)
            }
            out.storeBytes(of: 0x7D, toByteOffset: at, as: UInt8.self)
            return at + 1
        }
    }

    /// How many bytes the writer writes for a value of `kind` (`count` a string's bytes); nil
    /// for a fraction, which the writer writes as Swift prints it.
    @inline(__always)
    private static func payloadLength(
        _ kind: AttributeSpan.Kind, count: Int, _ elements: UnsafeBufferPointer<ElementSpan>
    ) -> Int? {
        guard case .array(let first, let elementCount) = kind else { return scalarLength(kind, count: count) }
        // `[`, `]` and a comma between elements.
        var length = 2 + max(elementCount - 1, 0)
        for element in elements[first..<first + elementCount] {
            guard let elementLength = scalarLength(element.kind, count: element.count) else { return nil }
            length += elementLength
        }
        return length
    }

    @inline(__always)
    private static func scalarLength(_ kind: AttributeSpan.Kind, count: Int) -> Int? {
        switch kind {
        case .text: count + 2
        case .integer(let value): DecimalText.count(value)
        case .bool(let value): value ? 4 : 5
        case .number, .array: nil
        }
    }

    /// Writes a value of `kind` as the writer does at `at` in `out`, sized by `payloadLength`.
    @inline(__always)
    private static func writePayload(
        _ kind: AttributeSpan.Kind, start: Int, count: Int, from base: UnsafeRawPointer,
        _ elements: UnsafeBufferPointer<ElementSpan>, to out: UnsafeMutableRawPointer, at: inout Int
    ) {
        guard case .array(let first, let elementCount) = kind else {
            writeScalar(kind, start: start, count: count, from: base, to: out, at: &at)
            return
        }
        out.storeBytes(of: 0x5B, toByteOffset: at, as: UInt8.self)
        at += 1
        for (position, element) in elements[first..<first + elementCount].enumerated() {
            if position > 0 {
                out.storeBytes(of: 0x2C, toByteOffset: at, as: UInt8.self)
                at += 1
            }
            writeScalar(element.kind, start: element.start, count: element.count, from: base, to: out, at: &at)
        }
        out.storeBytes(of: 0x5D, toByteOffset: at, as: UInt8.self)
        at += 1
    }

    @inline(__always)
    private static func writeScalar(
        _ kind: AttributeSpan.Kind, start: Int, count: Int, from base: UnsafeRawPointer,
        to out: UnsafeMutableRawPointer, at: inout Int
    ) {
        switch kind {
        case .text:
            // The string with its quotes, as it is in the record.
            (out + at).copyMemory(from: base + start - 1, byteCount: count + 2)
            at += count + 2
        case .integer(let value):
            at += DecimalText.write(value, to: out + at)
        case .bool(let value):
            let word: StaticString = value ? "true" : "false"
            (out + at).copyMemory(from: word.utf8Start, byteCount: word.utf8CodeUnitCount)
            at += word.utf8CodeUnitCount
        case .number, .array:
            break
        }
    }

    /// Whether `AttributeValue`'s checks pass for this attribute, told from its bytes: an ASCII
    /// name of 1 to `maximumNameLength` bytes without controls (`plainText` let none below 0x20
    /// through; DEL is looked for here), a string of at most `maximumStringLength` bytes, so as
    /// many characters, an array of at most `maximumArrayCount` such scalars (the reader let no
    /// nested array through); numbers read are finite. False sends the draft through the checks.
    private func isValidAttribute(_ span: AttributeSpan, _ elements: UnsafeMutableBufferPointer<ElementSpan>) -> Bool {
        guard span.nameIsASCII, span.nameCount > 0, span.nameCount <= AttributeValue.maximumNameLength else {
            return false
        }
        for offset in span.nameStart..<span.nameStart + span.nameCount where bytes[offset] == 0x7F { return false }
        switch span.kind {
        case .text: return span.valueCount <= AttributeValue.maximumStringLength
        case .integer, .number, .bool: return true
        case .array(let first, let count):
            guard count <= AttributeValue.maximumArrayCount else { return false }
            for element in elements[first..<first + count] {
                if case .text = element.kind, element.count > AttributeValue.maximumStringLength { return false }
            }
            return true
        }
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
        let seen = skipPlainRun()
        guard index < bytes.count, bytes[index] == 0x22 else { return nil }
        index += 1
        return (start, index - 1 - start, seen < 0x80)
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
