import Foundation

/// The kind of value a content field holds.
public indirect enum ContentFieldType: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Plain text, analyzed for full-text search.
    case text
    /// Formatted text (HTML or Markdown, as the tenant's editor produces it).
    case richText
    /// An exact string up to 256 characters: tags, codes, categories.
    case keyword
    /// A finite number.
    case number
    /// An ISO 8601 date (`2025-06-01`) or date-time with a zone (`2025-06-01T12:00:00Z`).
    case date
    /// `true` or `false`.
    case boolean
    /// The id of another content item of the same tenant.
    case reference
    /// A list of values of one non-list type.
    case list(ContentFieldType)

    /// The spelling in stored definitions and APIs: `text`, `rich_text`, …, `list<keyword>`.
    public var description: String {
        switch self {
        case .text: "text"
        case .richText: "rich_text"
        case .keyword: "keyword"
        case .number: "number"
        case .date: "date"
        case .boolean: "boolean"
        case .reference: "reference"
        case .list(let element): "list<\(element)>"
        }
    }

    /// Parses the spelling `description` produces; nil for anything else.
    public init?(_ text: String) {
        switch text {
        case "text": self = .text
        case "rich_text": self = .richText
        case "keyword": self = .keyword
        case "number": self = .number
        case "date": self = .date
        case "boolean": self = .boolean
        case "reference": self = .reference
        default:
            guard text.hasPrefix("list<"), text.hasSuffix(">"),
                let element = ContentFieldType(String(text.dropFirst(5).dropLast()))
            else { return nil }
            self = .list(element)
        }
    }

    /// Decodes the spelling.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let type = ContentFieldType(text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "unknown field type \(text)"))
        }
        self = type
    }

    /// Encodes the spelling.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// The type of each value: the element type of a list, else the type itself.
    var scalar: ContentFieldType {
        if case .list(let element) = self { return element }
        return self
    }

    var isList: Bool {
        if case .list = self { return true }
        return false
    }
}

/// One field of a content type, and how search may use it.
public struct ContentFieldDefinition: Sendable, Hashable, Codable {
    /// The field's key in items' JSON: a lowercase identifier.
    public var name: String
    /// What the field holds.
    public var type: ContentFieldType
    /// Whether every item must have a non-null value.
    public var required: Bool
    /// Analyzed into the full-text index (text, rich text, keyword, or lists of them).
    public var searchable: Bool
    /// Usable in exact filters (not text or rich text).
    public var filterable: Bool
    /// Counted in facets (keyword, number, date, boolean, reference, or lists of them).
    public var facetable: Bool
    /// Usable as a sort key (single-valued keyword, number, date or boolean).
    public var sortable: Bool

    /// A field definition; every capability is off unless asked for.
    public init(
        name: String, type: ContentFieldType, required: Bool = false, searchable: Bool = false,
        filterable: Bool = false, facetable: Bool = false, sortable: Bool = false
    ) {
        self.name = name
        self.type = type
        self.required = required
        self.searchable = searchable
        self.filterable = filterable
        self.facetable = facetable
        self.sortable = sortable
    }

    /// Names an item's own columns and the search document's fixed fields use.
    static let reservedNames: Set<String> = [
        "id", "type", "title", "slug", "status", "version", "publish_at", "published_at", "created_at", "updated_at",
    ]

    static let maximumFields = 100

    /// Checks a whole definition; errors name the field as `fields[index].property`.
    static func validate(_ fields: [ContentFieldDefinition]) throws(StoreError) {
        if let first = problems(fields).first { throw first }
    }

    /// Every problem of a whole definition, at most one per field, in field order; each names
    /// its field as `fields[index].property`. Empty when the definition is valid.
    public static func problems(_ fields: [ContentFieldDefinition]) -> [StoreError] {
        guard fields.count <= maximumFields else {
            return [.invalid(field: "fields", reason: "at most \(maximumFields) fields")]
        }
        var seen: Set<String> = []
        var problems: [StoreError] = []
        for (index, field) in fields.enumerated() {
            if let problem = problem(field, path: "fields[\(index)]", seen: &seen) { problems.append(problem) }
        }
        return problems
    }

    /// The first thing wrong with one field of a definition, or nil.
    private static func problem(_ field: ContentFieldDefinition, path: String, seen: inout Set<String>) -> StoreError? {
        guard isIdentifier(field.name) else {
            return .invalid(
                field: "\(path).name",
                reason: "must start with a lowercase letter and hold only a-z, 0-9 and _, at most 64 characters")
        }
        guard !reservedNames.contains(field.name) else {
            return .invalid(field: "\(path).name", reason: "\(field.name) is reserved")
        }
        guard seen.insert(field.name).inserted else {
            return .invalid(field: "\(path).name", reason: "\(field.name) is defined twice")
        }
        if case .list(let element) = field.type, element.isList {
            return .invalid(field: "\(path).type", reason: "a list cannot hold lists")
        }
        let scalar = field.type.scalar
        if field.searchable, ![.text, .richText, .keyword].contains(scalar) {
            return .invalid(field: "\(path).searchable", reason: "\(field.type) fields cannot be searchable")
        }
        if field.filterable, [.text, .richText].contains(scalar) {
            return .invalid(field: "\(path).filterable", reason: "\(field.type) fields cannot be filterable")
        }
        if field.facetable, [.text, .richText].contains(scalar) {
            return .invalid(field: "\(path).facetable", reason: "\(field.type) fields cannot be facetable")
        }
        if field.sortable, field.type.isList || ![.keyword, .number, .date, .boolean].contains(scalar) {
            return .invalid(field: "\(path).sortable", reason: "\(field.type) fields cannot be sortable")
        }
        return nil
    }

    /// A lowercase identifier of 1 to 64 characters: `[a-z][a-z0-9_]*`.
    static func isIdentifier(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...64).contains(bytes.count), (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(bytes[0]) else {
            return false
        }
        return bytes.allSatisfy {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                || $0 == UInt8(ascii: "_")
        }
    }
}
