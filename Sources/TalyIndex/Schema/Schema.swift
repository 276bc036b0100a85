/// The fields of an index, saved in the index so every reader and every later writer agrees.
///
/// Field numbers are positions in `fields`; they appear in the segment files, so a schema only
/// ever grows at the end.
public struct Schema: Sendable, Hashable, Codable {
    /// One field of the schema.
    public struct Field: Sendable, Hashable, Codable {
        /// The field's name, as documents and queries spell it.
        public let name: String
        /// What the field holds.
        public let type: FieldType

        /// A field named `name` of type `type`.
        public init(_ name: String, _ type: FieldType) {
            self.name = name
            self.type = type
        }
    }

    /// How the id field identifies documents.
    public enum IDMode: String, Sendable, Hashable, Codable {
        /// Ids are unique: they are indexed (exact terms), adding a document whose id exists
        /// replaces it, and documents can be deleted, looked up and sorted (ties broken) by id.
        case unique
        /// The index is append-only: ids are only stored, to be returned with hits. Nothing is
        /// looked up by id, so adds never replace, duplicates are kept, deletes and lookups by id
        /// are not available, sorting by a field is refused (its ties are broken by id), and the
        /// id field is not searchable. Saves the id terms (about 13 bytes per document) and the
        /// per-add lookup, for indexes rebuilt from a source rather than updated in place.
        case appendOnly
    }

    /// The fields, in field-number order.
    public let fields: [Field]
    /// The name of the id field (a single-valued keyword field, always stored).
    public let idField: String
    /// Whether ids are unique (indexed) or only stored (append-only).
    public let idMode: IDMode
    private let numbersByName: [String: Int]

    /// Builds a schema, checking names, uniqueness and the id field.
    public init(fields: [Field], idField: String, idMode: IDMode = .unique) throws(SchemaError) {
        var numbers: [String: Int] = [:]
        for (number, field) in fields.enumerated() {
            guard Self.isValidName(field.name) else { throw .invalidFieldName(field.name) }
            guard numbers.updateValue(number, forKey: field.name) == nil else {
                throw .duplicateField(field.name)
            }
        }
        guard let idNumber = numbers[idField] else { throw .missingIdField(idField) }
        guard case .keyword(stored: true, multiValued: false) = fields[idNumber].type else {
            throw .invalidIdField(idField, type: fields[idNumber].type.name)
        }
        self.fields = fields
        self.idField = idField
        self.idMode = idMode
        self.numbersByName = numbers
    }

    /// Whether this schema is `other` grown at the end: `other`'s fields first, unchanged and in
    /// order, then at least one new field, with the same id field and id mode. Field numbers
    /// are positions, so an index of `other` can be opened with this schema: its segments simply
    /// have no value and no term for the new fields.
    public func extends(_ other: Schema) -> Bool {
        fields.count > other.fields.count && idField == other.idField && idMode == other.idMode
            && fields.starts(with: other.fields)
    }

    /// The number of the field named `name`.
    public func fieldNumber(_ name: String) -> Int? { numbersByName[name] }

    /// The field named `name`.
    public func field(named name: String) -> Field? { numbersByName[name].map { fields[$0] } }

    /// The number of the id field.
    public var idFieldNumber: Int { numbersByName[idField]! }

    /// Whether field `number` has terms in the inverted index: text and keyword fields do, except
    /// the id field of an append-only schema.
    public func isIndexed(_ number: Int) -> Bool {
        fields[number].type.isIndexed && (number != idFieldNumber || idMode == .unique)
    }

    /// Whether field `number` gets a column: keyword and numeric fields do, except the id field,
    /// which is looked up through the term dictionary and never filtered, faceted or sorted on
    /// (its column would cost as much as the ids themselves).
    public func hasColumn(_ number: Int) -> Bool { fields[number].type.hasColumn && number != idFieldNumber }

    /// Field names are 1–64 bytes of ASCII letters, digits, `_`, `-` and `.`, starting with a
    /// letter or `_`: safe in query syntax (`field:term`), file names and JSON keys.
    public static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...64).contains(bytes.count) else { return false }
        func isLetter(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || b == 0x5F }
        guard isLetter(bytes[0]) else { return false }
        return bytes.allSatisfy { isLetter($0) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x2E }
    }

    private enum CodingKeys: String, CodingKey { case fields, idField, idMode }

    /// Decodes and re-validates a saved schema; a schema saved without `idMode` has unique ids.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            fields: try container.decode([Field].self, forKey: .fields),
            idField: try container.decode(String.self, forKey: .idField),
            idMode: try container.decodeIfPresent(IDMode.self, forKey: .idMode) ?? .unique
        )
    }

    /// Encodes the fields, the id field name and, when not unique, the id mode (so a schema with
    /// unique ids encodes exactly as before the mode existed).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(fields, forKey: .fields)
        try container.encode(idField, forKey: .idField)
        if idMode != .unique { try container.encode(idMode, forKey: .idMode) }
    }

    public static func == (lhs: Schema, rhs: Schema) -> Bool {
        lhs.fields == rhs.fields && lhs.idField == rhs.idField && lhs.idMode == rhs.idMode
    }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(fields)
        hasher.combine(idField)
        hasher.combine(idMode)
    }
}

/// A schema that cannot be built.
public enum SchemaError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A field name breaks the naming rule.
    case invalidFieldName(String)
    /// Two fields share a name.
    case duplicateField(String)
    /// The id field is not among the fields.
    case missingIdField(String)
    /// The id field is not a stored, single-valued keyword field.
    case invalidIdField(String, type: String)
    /// The schema saved in the index differs from the one given when opening it.
    case mismatch(reason: String)

    public var description: String {
        switch self {
        case .invalidFieldName(let name):
            "field name \"\(name)\" is invalid: use 1-64 ASCII letters, digits, _, - or ., starting with a letter or _"
        case .duplicateField(let name): "field \"\(name)\" is defined twice"
        case .missingIdField(let name): "the id field \"\(name)\" is not defined"
        case .invalidIdField(let name, let type):
            "the id field \"\(name)\" must be a stored single-valued keyword field, not \(type)"
        case .mismatch(let reason): "schema mismatch: \(reason)"
        }
    }
}
