import Foundation
import GRDB

/// A JSON value of a content item's field, as the caller sent it and as it is stored.
public indirect enum ContentValue: Sendable, Hashable, Codable {
    /// JSON `null`: the same as leaving an optional field out.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A JSON number.
    case number(Double)
    /// A JSON string.
    case string(String)
    /// A JSON array.
    case array([ContentValue])
    /// A JSON object.
    case object([String: ContentValue])

    /// Decodes any JSON value.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([ContentValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: ContentValue].self))
        }
    }

    /// Encodes the JSON value.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// The fields of a JSON object given as text, such as a request body; a typed error names
    /// what is wrong.
    public static func fields(fromJSON data: Data) throws(StoreError) -> [String: ContentValue] {
        let value: ContentValue
        do {
            value = try JSONDecoder().decode(ContentValue.self, from: data)
        } catch {
            throw .invalid(field: "fields", reason: "not valid JSON")
        }
        guard case .object(let fields) = value else {
            throw .invalid(field: "fields", reason: "must be a JSON object")
        }
        return fields
    }

    /// The JSON type's name, for error messages.
    var kind: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// The `fields` column of content items and revisions.
extension ContentValue {
    /// The column text: the JSON GRDB's `Encodable` path wrote (sorted keys, `/` escaped).
    static func storedText(_ fields: [String: ContentValue]) throws -> String {
        var writer = CanonicalJSONWriter(escapesSlashes: true)
        try writer.object(fields)
        return writer.text
    }

    /// The fields in a column value; text the fast reader declines goes to `JSONDecoder`, as
    /// GRDB's `Decodable` path did.
    static func storedFields(_ column: DatabaseValue) throws -> [String: ContentValue] {
        switch column.storage {
        case .string(let text):
            if let fields = StoredJSONReader.contentFields(text) { return fields }
            return try JSONDecoder().decode([String: ContentValue].self, from: Data(text.utf8))
        case .blob(let data):
            return try JSONDecoder().decode([String: ContentValue].self, from: data)
        default:
            throw StoreError.invalid(field: "fields", reason: "the stored value is not JSON text")
        }
    }
}
