import Foundation
import Hummingbird
import TalyStore

/// A content type as the API shows it.
struct ContentTypeResource: ResponseEncodable, Sendable {
    let id: Int64
    let name: String
    let displayName: String
    let fields: [ContentFieldDefinition]
    let createdAt: Date
    let updatedAt: Date
    let version: Int64
    /// Only in the answer to a schema change: whether it made the search index rebuild.
    let reindexing: Bool?

    enum CodingKeys: String, CodingKey {
        case id, name, fields, version, reindexing
        case displayName = "display_name"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    init(_ type: ContentTypeRecord, reindexing: Bool? = nil) {
        id = type.id?.rawValue ?? 0
        name = type.name
        displayName = type.displayName
        fields = type.fields
        createdAt = type.createdAt
        updatedAt = type.updatedAt
        version = type.version
        self.reindexing = reindexing
    }

    static let fieldSchema = JSONSchema.object(
        [
            ("name", .string()), ("type", .string()), ("required", .boolean), ("searchable", .boolean),
            ("filterable", .boolean), ("facetable", .boolean), ("sortable", .boolean),
        ], required: ["name", "type"])

    static let schema = JSONSchema.object(
        [
            ("id", .integer), ("name", .string()), ("display_name", .string()), ("fields", .array(fieldSchema)),
            ("created_at", .string(format: "date-time")), ("updated_at", .string(format: "date-time")),
            ("version", .integer), ("reindexing", .boolean),
        ], required: ["id", "name", "display_name", "fields", "created_at", "updated_at", "version"])
}

/// A content item as the API shows it, with its type's name.
struct ContentItemResource: ResponseEncodable, Sendable {
    let item: ContentItemRecord
    let typeName: String

    enum CodingKeys: String, CodingKey {
        case id, type, title, slug, status, fields, version
        case publishAt = "publish_at"
        case publishedAt = "published_at"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    /// Explicit nulls for an unscheduled or never-published item, as clients test for them.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(item.id?.rawValue ?? 0, forKey: .id)
        try container.encode(typeName, forKey: .type)
        try container.encode(item.title, forKey: .title)
        try container.encode(item.slug, forKey: .slug)
        try container.encode(item.status.rawValue, forKey: .status)
        try container.encode(item.fields, forKey: .fields)
        try container.encode(item.publishAt, forKey: .publishAt)
        try container.encode(item.publishedAt, forKey: .publishedAt)
        try container.encode(item.createdAt, forKey: .createdAt)
        try container.encode(item.updatedAt, forKey: .updatedAt)
        try container.encode(item.version, forKey: .version)
    }

    static let schema = JSONSchema.object(
        [
            ("id", .integer), ("type", .string()), ("title", .string()), ("slug", .string()),
            ("status", .string(values: ContentStatus.allCases.map(\.rawValue))), ("fields", .freeObject),
            ("publish_at", .nullable(.string(format: "date-time"))),
            ("published_at", .nullable(.string(format: "date-time"))),
            ("created_at", .string(format: "date-time")), ("updated_at", .string(format: "date-time")),
            ("version", .integer),
        ],
        required: [
            "id", "type", "title", "slug", "status", "fields", "publish_at", "published_at", "created_at",
            "updated_at", "version",
        ])
}

/// One kept version of a content item.
struct ContentRevisionResource: ResponseEncodable, Sendable {
    let revision: ContentRevisionRecord

    enum CodingKeys: String, CodingKey {
        case id, title, slug, status, fields, actor
        case itemID = "item_id"
        case itemVersion = "item_version"
        case publishAt = "publish_at"
        case createdAt = "created_at"
    }

    enum ActorKeys: String, CodingKey { case type, id }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(revision.id?.rawValue ?? 0, forKey: .id)
        try container.encode(revision.contentItemID.rawValue, forKey: .itemID)
        try container.encode(revision.itemVersion, forKey: .itemVersion)
        try container.encode(revision.title, forKey: .title)
        try container.encode(revision.slug, forKey: .slug)
        try container.encode(revision.status.rawValue, forKey: .status)
        try container.encode(revision.fields, forKey: .fields)
        try container.encode(revision.publishAt, forKey: .publishAt)
        try container.encode(revision.createdAt, forKey: .createdAt)
        var actor = container.nestedContainer(keyedBy: ActorKeys.self, forKey: .actor)
        switch revision.actor {
        case .system:
            try actor.encode("system", forKey: .type)
            try actor.encodeNil(forKey: .id)
        case .user(let id):
            try actor.encode("user", forKey: .type)
            try actor.encode(id.rawValue, forKey: .id)
        case .apiKey(let id):
            try actor.encode("api_key", forKey: .type)
            try actor.encode(id.rawValue, forKey: .id)
        }
    }

    static let schema = JSONSchema.object(
        [
            ("id", .integer), ("item_id", .integer), ("item_version", .integer), ("title", .string()),
            ("slug", .string()), ("status", .string(values: ContentStatus.allCases.map(\.rawValue))),
            ("fields", .freeObject), ("publish_at", .nullable(.string(format: "date-time"))),
            ("created_at", .string(format: "date-time")),
            (
                "actor",
                .object(
                    [("type", .string(values: ["system", "user", "api_key"])), ("id", .nullable(.integer))],
                    required: ["type", "id"])
            ),
        ], required: ["id", "item_id", "item_version", "title", "slug", "status", "fields", "created_at", "actor"])
}

/// A request body read as a JSON object whose members are checked one by one, so that a
/// validation error can list every bad member rather than the first the decoder met.
struct JSONObjectBody: Sendable {
    let members: [String: ContentValue]
    var problems: [InvalidParam] = []

    init(_ members: [String: ContentValue], allowed: Set<String>) {
        self.members = members
        for name in members.keys.sorted() where !allowed.contains(name) {
            problems.append(InvalidParam(name: name, reason: "is not a known member"))
        }
    }

    /// Whether the member is present (null included).
    func has(_ name: String) -> Bool { members[name] != nil }

    /// A string member; nil when absent or null (a problem when `required`), or of another type.
    mutating func string(_ name: String, required: Bool = false) -> String? {
        switch members[name] {
        case .string(let text): return text
        case nil, .null:
            if required { problems.append(InvalidParam(name: name, reason: "is required")) }
        default: problems.append(InvalidParam(name: name, reason: "must be a string"))
        }
        return nil
    }

    /// An object member; nil when absent or null, or of another type.
    mutating func object(_ name: String) -> [String: ContentValue]? {
        switch members[name] {
        case .object(let value): return value
        case nil, .null: return nil
        default:
            problems.append(InvalidParam(name: name, reason: "must be an object"))
            return nil
        }
    }

    /// An RFC 3339 date-time member; `.some(nil)` when null, nil when absent or invalid.
    mutating func date(_ name: String) -> Date?? {
        switch members[name] {
        case nil: return nil
        case .null: return .some(nil)
        case .string(let text):
            if let date = Self.parseDate(text) { return .some(date) }
            problems.append(InvalidParam(name: name, reason: "must be an RFC 3339 date-time with a zone"))
        default: problems.append(InvalidParam(name: name, reason: "must be an RFC 3339 date-time string or null"))
        }
        return nil
    }

    static func parseDate(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}

extension Request {
    /// The body as a JSON object, with the gateway's checks (media type, size, UTF-8, syntax).
    func decodeJSONObject(context: TalyRequestContext) async throws -> [String: ContentValue] {
        try await decodeJSON(as: [String: ContentValue].self, context: context)
    }
}

extension APIError {
    /// 422 listing the problems the store reports (`fields.body`, `title`…), by JSON name.
    static func validation(storeErrors errors: [StoreError]) -> APIError {
        .validation(errors.compactMap { APIError.from($0)?.invalidParams }.flatMap { $0 })
    }
}
