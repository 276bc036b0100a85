/// One value of a product attribute: a string, a number, a boolean, or an array of those.
///
/// Integers and fractional numbers are kept apart so that `3` comes back as `3`, not `3.0`.
/// Objects and `null` are refused: attributes feed filters and facets, which need flat values.
public enum AttributeValue: Hashable, Sendable {
    /// Text.
    case string(String)
    /// A whole number.
    case integer(Int64)
    /// A finite fractional number.
    case number(Double)
    /// True or false.
    case bool(Bool)
    /// A list of scalars (no nested arrays).
    case array([AttributeValue])

    /// At most this many attributes per product.
    public static let maximumCount = 100
    /// At most this many characters in a name or a string value.
    public static let maximumNameLength = 64
    /// At most this many characters in a string value.
    public static let maximumStringLength = 2000
    /// At most this many elements in an array value.
    public static let maximumArrayCount = 100

    var isScalar: Bool {
        if case .array = self { return false }
        return true
    }

    /// Checks a whole attribute object; errors name `attributes.<name>`.
    static func validate(_ attributes: [String: AttributeValue]) throws(StoreError) {
        guard attributes.count <= maximumCount else { throw tooMany }
        for (name, value) in attributes { try validate(name: name, value: value) }
    }

    /// Every problem of an attribute object, in name order, for a 422 that lists them all.
    static func problems(_ attributes: [String: AttributeValue]) -> [StoreError] {
        var problems = attributes.count > maximumCount ? [tooMany] : []
        for (name, value) in attributes.sorted(by: { $0.key < $1.key }) {
            do { try validate(name: name, value: value) } catch { problems.append(error) }
        }
        return problems
    }

    private static let tooMany = StoreError.invalid(field: "attributes", reason: "at most \(maximumCount) attributes")

    private static func validate(name: String, value: AttributeValue) throws(StoreError) {
        guard !name.isEmpty, TextRules.fits(name, characters: maximumNameLength), !TextRules.hasControlCharacter(name)
        else {
            throw .invalid(
                field: "attributes",
                reason:
                    "name \"\(name.prefix(80))\" must be 1 to \(maximumNameLength) characters without control characters"
            )
        }
        // Valid scalars, the common case, skip building the field's name.
        if value.isValidScalar { return }
        try value.validate(field: "attributes.\(name)")
    }

    /// A string, number or boolean that `validate(field:)` accepts.
    private var isValidScalar: Bool {
        switch self {
        case .string(let text): TextRules.fits(text, characters: Self.maximumStringLength)
        case .number(let value): value.isFinite
        case .integer, .bool: true
        case .array: false
        }
    }

    private func validate(field: String) throws(StoreError) {
        switch self {
        case .string(let text):
            guard TextRules.fits(text, characters: Self.maximumStringLength) else {
                throw .invalid(field: field, reason: "at most \(Self.maximumStringLength) characters")
            }
        case .number(let value):
            guard value.isFinite else { throw .invalid(field: field, reason: "must be a finite number") }
        case .integer, .bool:
            break
        case .array(let elements):
            guard elements.count <= Self.maximumArrayCount else {
                throw .invalid(field: field, reason: "at most \(Self.maximumArrayCount) elements")
            }
            for (index, element) in elements.enumerated() {
                guard element.isScalar else {
                    throw .invalid(
                        field: "\(field)[\(index)]", reason: "arrays may hold only strings, numbers and booleans")
                }
                try element.validate(field: "\(field)[\(index)]")
            }
        }
    }
}

extension AttributeValue: Codable {
    /// Reads a JSON scalar or array; `null` and objects are refused with the field's path.
    public init(from decoder: any Decoder) throws {
        if var elements = try? decoder.unkeyedContainer() {
            var values: [AttributeValue] = []
            while !elements.isAtEnd { values.append(try elements.decode(AttributeValue.self)) }
            self = .array(values)
            return
        }
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            throw StoreError.invalid(field: fieldPath(decoder.codingPath), reason: "must not be null")
        }
        if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else {
            throw StoreError.invalid(
                field: fieldPath(decoder.codingPath), reason: "must be a string, number, boolean or array")
        }
    }

    /// Writes the bare JSON value.
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .array(let elements):
            var container = encoder.unkeyedContainer()
            for element in elements { try container.encode(element) }
        case .string(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .integer(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .number(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .bool(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        }
    }
}

/// A coding path as a field name for errors: `price.currency`, `attributes.sizes[2]`.
func fieldPath(_ path: [any CodingKey]) -> String {
    var text = ""
    for key in path {
        if let index = key.intValue {
            text += "[\(index)]"
        } else {
            text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
        }
    }
    return text
}
