import Foundation

extension Schema {
    /// Reads a schema from the JSON people write:
    ///
    /// ```json
    /// {"id_field": "id",
    ///  "fields": [
    ///    {"name": "id", "type": "keyword"},
    ///    {"name": "title", "type": "text", "analyzer": "english", "stored": true},
    ///    {"name": "tags", "type": "keyword", "multi_valued": true},
    ///    {"name": "price", "type": "int64"}, {"name": "rating", "type": "double"},
    ///    {"name": "published", "type": "date"}]}
    /// ```
    ///
    /// `stored` defaults to true, `analyzer` to `standard`, `multi_valued` to false; the id field
    /// is always stored. An optional `"id_mode": "append_only"` makes the index append-only (see
    /// ``Schema/IDMode/appendOnly``); the default is `"unique"`. Every mistake is a ``SchemaDefinitionError`` naming where it is.
    public init(definition data: Data) throws(SchemaDefinitionError) {
        let root: JSONValue
        do {
            root = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw SchemaDefinitionError(location: "", problem: "not valid JSON")
        }
        guard case .object(let members) = root else {
            throw SchemaDefinitionError(location: "", problem: "the schema must be a JSON object")
        }
        for key in members.keys where key != "id_field" && key != "fields" && key != "id_mode" {
            throw SchemaDefinitionError(location: key, problem: "unknown key (expected id_field, id_mode and fields)")
        }
        let idMode: IDMode
        switch members["id_mode"] {
        case nil, .string("unique")?: idMode = .unique
        case .string("append_only")?: idMode = .appendOnly
        default: throw SchemaDefinitionError(location: "id_mode", problem: "must be \"unique\" or \"append_only\"")
        }
        guard case .string(let idField)? = members["id_field"] else {
            throw SchemaDefinitionError(location: "id_field", problem: "missing or not a string")
        }
        guard case .array(let items)? = members["fields"], !items.isEmpty else {
            throw SchemaDefinitionError(location: "fields", problem: "missing, empty or not an array")
        }
        var fields: [Field] = []
        for (index, item) in items.enumerated() {
            fields.append(try Self.field(item, index: index, idField: idField))
        }
        do {
            try self.init(fields: fields, idField: idField, idMode: idMode)
        } catch {
            throw SchemaDefinitionError(location: "fields", problem: error.description)
        }
    }

    private static func field(_ item: JSONValue, index: Int, idField: String) throws(SchemaDefinitionError) -> Field {
        let location = "fields[\(index)]"
        guard case .object(let members) = item else {
            throw SchemaDefinitionError(location: location, problem: "a field must be a JSON object")
        }
        let known: Set<String> = ["name", "type", "analyzer", "stored", "multi_valued"]
        for key in members.keys where !known.contains(key) {
            throw SchemaDefinitionError(
                location: "\(location).\(key)",
                problem: "unknown key (expected one of \(known.sorted().joined(separator: ", ")))")
        }
        guard case .string(let name)? = members["name"] else {
            throw SchemaDefinitionError(location: "\(location).name", problem: "missing or not a string")
        }
        func flag(_ key: String, default value: Bool) throws(SchemaDefinitionError) -> Bool {
            switch members[key] {
            case nil: return value
            case .bool(let flag)?: return flag
            default: throw SchemaDefinitionError(location: "\(location).\(key)", problem: "must be true or false")
            }
        }
        let stored = try flag("stored", default: true) || name == idField
        let multiValued = try flag("multi_valued", default: false)
        guard case .string(let type)? = members["type"] else {
            throw SchemaDefinitionError(location: "\(location).type", problem: "missing or not a string")
        }
        if members["analyzer"] != nil && type != "text" {
            throw SchemaDefinitionError(location: "\(location).analyzer", problem: "only text fields have an analyzer")
        }
        if multiValued && type != "keyword" {
            throw SchemaDefinitionError(
                location: "\(location).multi_valued", problem: "only keyword fields can be multi-valued")
        }
        switch type {
        case "text":
            var analyzer = AnalyzerKind.standard
            if let value = members["analyzer"] {
                guard case .string(let text) = value, let kind = AnalyzerKind(rawValue: text) else {
                    let names = AnalyzerKind.allCases.map(\.rawValue).joined(separator: ", ")
                    throw SchemaDefinitionError(location: "\(location).analyzer", problem: "must be one of \(names)")
                }
                analyzer = kind
            }
            return Field(name, .text(analyzer: analyzer, stored: stored))
        case "keyword": return Field(name, .keyword(stored: stored, multiValued: multiValued))
        case "int64": return Field(name, .int64(stored: stored))
        case "double": return Field(name, .double(stored: stored))
        case "date": return Field(name, .date(stored: stored))
        default:
            throw SchemaDefinitionError(
                location: "\(location).type",
                problem: "\"\(type)\" is not a field type (text, keyword, int64, double, date)"
            )
        }
    }
}

/// A schema definition that cannot be used, with where the problem is (`fields[2].type`).
public struct SchemaDefinitionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A JSON path to the offending member (empty for the whole document).
    public let location: String
    /// What is wrong there.
    public let problem: String

    /// An error at `location`.
    public init(location: String, problem: String) {
        self.location = location
        self.problem = problem
    }

    public var description: String { location.isEmpty ? "schema: \(problem)" : "schema \(location): \(problem)" }
}
