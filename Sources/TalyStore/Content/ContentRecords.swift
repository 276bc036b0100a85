import Foundation
import GRDB
import Synchronization

/// A tenant-defined kind of content and the schema of its fields (table `content_type`).
public struct ContentTypeRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    /// The table name.
    public static let databaseTableName = "content_type"

    /// The type's id; nil before insertion.
    public internal(set) var id: ContentTypeID?
    /// The tenant that owns the type.
    public internal(set) var tenantID: TenantID
    /// The type's key, a lowercase identifier unique per tenant, such as `article`.
    public internal(set) var name: String
    /// The name shown to editors.
    public internal(set) var displayName: String
    /// The fields, in the order editors see them (a JSON array in the database).
    public internal(set) var fields: [ContentFieldDefinition]
    /// When the type was created.
    public internal(set) var createdAt: Date
    /// When the type last changed.
    public internal(set) var updatedAt: Date
    /// Optimistic-concurrency version.
    public internal(set) var version: Int64

    enum CodingKeys: String, CodingKey {
        case id
        case tenantID = "tenant_id"
        case name
        case displayName = "display_name"
        case fields
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case version
    }

    /// The table's columns, for the query interface.
    public enum Columns {
        /// `id`.
        public static let id = Column(CodingKeys.id)
        /// `tenant_id`.
        public static let tenantID = Column(CodingKeys.tenantID)
        /// `name`.
        public static let name = Column(CodingKeys.name)
    }

    /// Takes the id SQLite assigned.
    mutating public func didInsert(_ inserted: InsertionSuccess) { id = ContentTypeID(inserted.rowID) }
}

/// Rows read and written by hand (in an extension, so the memberwise initializer stays).
extension ContentTypeRecord {
    /// Reads a row by hand; the field definitions come from `decodedFields`.
    public init(row: Row) throws {
        id = row[CodingKeys.id.rawValue]
        tenantID = row[CodingKeys.tenantID.rawValue]
        name = row[CodingKeys.name.rawValue]
        displayName = row[CodingKeys.displayName.rawValue]
        fields = try Self.fieldDefinitions(row[CodingKeys.fields.rawValue])
        createdAt = try StoredDate.date(row, CodingKeys.createdAt.rawValue)
        updatedAt = try StoredDate.date(row, CodingKeys.updatedAt.rawValue)
        version = row[CodingKeys.version.rawValue]
    }

    /// Field definitions decoded before, by their JSON text: every item write reads its type,
    /// and a `JSONDecoder` pass over the definitions cost more than the rest of a small save.
    /// The text is the whole input of the decoding, so a hit is exactly what decoding gives.
    private static let decodedFields = Mutex<[String: [ContentFieldDefinition]]>([:])

    private static func fieldDefinitions(_ column: DatabaseValue) throws -> [ContentFieldDefinition] {
        guard case .string(let text) = column.storage else {
            return try JSONDecoder().decode(
                [ContentFieldDefinition].self, from: Data.fromDatabaseValue(column) ?? Data())
        }
        if let known = decodedFields.withLock({ $0[text] }) { return known }
        let decoded = try JSONDecoder().decode([ContentFieldDefinition].self, from: Data(text.utf8))
        decodedFields.withLock { cache in
            // Types are few; a bound keeps a pathological tenant from growing it without end.
            if cache.count >= 1024 { cache.removeAll(keepingCapacity: true) }
            cache[text] = decoded
        }
        return decoded
    }
}

/// Where an item is in its life.
public enum ContentStatus: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    /// Being written; not public. A draft with `publishAt` is scheduled.
    case draft
    /// Public.
    case published
    /// Withdrawn, kept for the record.
    case archived
}

/// One piece of content: a title, a slug and fields valid for its type (table `content_item`).
public struct ContentItemRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    /// The table name.
    public static let databaseTableName = "content_item"

    /// The item's id; nil before insertion.
    public internal(set) var id: ContentItemID?
    /// The tenant that owns the item.
    public internal(set) var tenantID: TenantID
    /// The item's content type.
    public internal(set) var contentTypeID: ContentTypeID
    /// The title.
    public internal(set) var title: String
    /// The URL key, unique per content type in the tenant.
    public internal(set) var slug: String
    /// The field values, valid for the type as it was when the item was saved.
    public internal(set) var fields: [String: ContentValue]
    /// Draft, published or archived.
    public internal(set) var status: ContentStatus
    /// When a draft is due to be published by `publishDueContentItems`; nil: not scheduled.
    public internal(set) var publishAt: Date?
    /// When the item was last published.
    public internal(set) var publishedAt: Date?
    /// When the item was created.
    public internal(set) var createdAt: Date
    /// When the item last changed.
    public internal(set) var updatedAt: Date
    /// Optimistic-concurrency version; each version has its revision.
    public internal(set) var version: Int64

    enum CodingKeys: String, CodingKey {
        case id
        case tenantID = "tenant_id"
        case contentTypeID = "content_type_id"
        case title
        case slug
        case fields
        case status
        case publishAt = "publish_at"
        case publishedAt = "published_at"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case version
    }

    /// The table's columns, for the query interface.
    public enum Columns {
        /// `id`.
        public static let id = Column(CodingKeys.id)
        /// `tenant_id`.
        public static let tenantID = Column(CodingKeys.tenantID)
        /// `content_type_id`.
        public static let contentTypeID = Column(CodingKeys.contentTypeID)
        /// `slug`.
        public static let slug = Column(CodingKeys.slug)
        /// `status`.
        public static let status = Column(CodingKeys.status)
        /// `publish_at`.
        public static let publishAt = Column(CodingKeys.publishAt)
        /// `updated_at`.
        public static let updatedAt = Column(CodingKeys.updatedAt)
    }

    /// Takes the id SQLite assigned.
    mutating public func didInsert(_ inserted: InsertionSuccess) { id = ContentItemID(inserted.rowID) }
}

/// Rows read and written by hand (in an extension, so the memberwise initializer stays).
extension ContentItemRecord {
    /// Reads a row by hand: GRDB's `Decodable` path decodes `fields` with a `JSONDecoder` per row.
    public init(row: Row) throws {
        id = row[CodingKeys.id.rawValue]
        tenantID = row[CodingKeys.tenantID.rawValue]
        contentTypeID = row[CodingKeys.contentTypeID.rawValue]
        title = row[CodingKeys.title.rawValue]
        slug = row[CodingKeys.slug.rawValue]
        fields = try ContentValue.storedFields(row[CodingKeys.fields.rawValue])
        status = row[CodingKeys.status.rawValue]
        publishAt = try StoredDate.optionalDate(row, CodingKeys.publishAt.rawValue)
        publishedAt = try StoredDate.optionalDate(row, CodingKeys.publishedAt.rawValue)
        createdAt = try StoredDate.date(row, CodingKeys.createdAt.rawValue)
        updatedAt = try StoredDate.date(row, CodingKeys.updatedAt.rawValue)
        version = row[CodingKeys.version.rawValue]
    }

    /// Writes the columns by hand, with the same text GRDB's `Encodable` path writes (see
    /// `StoredDate`, `CanonicalJSONWriter`) at a fraction of its cost.
    public func encode(to container: inout PersistenceContainer) throws {
        container[CodingKeys.id.rawValue] = id
        container[CodingKeys.tenantID.rawValue] = tenantID
        container[CodingKeys.contentTypeID.rawValue] = contentTypeID
        container[CodingKeys.title.rawValue] = title
        container[CodingKeys.slug.rawValue] = slug
        container[CodingKeys.fields.rawValue] = try ContentValue.storedText(fields)
        container[CodingKeys.status.rawValue] = status
        container[CodingKeys.publishAt.rawValue] = publishAt.map(StoredDate.databaseText)
        container[CodingKeys.publishedAt.rawValue] = publishedAt.map(StoredDate.databaseText)
        container[CodingKeys.createdAt.rawValue] = StoredDate.databaseText(createdAt)
        container[CodingKeys.updatedAt.rawValue] = StoredDate.databaseText(updatedAt)
        container[CodingKeys.version.rawValue] = version
    }
}

/// An item as it was at one version (table `content_revision`); every change keeps one.
public struct ContentRevisionRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    /// The table name.
    public static let databaseTableName = "content_revision"

    /// The revision's id; nil before insertion.
    public internal(set) var id: ContentRevisionID?
    /// The tenant that owns the item.
    public internal(set) var tenantID: TenantID
    /// The item this is a revision of.
    public internal(set) var contentItemID: ContentItemID
    /// The item's version this revision records.
    public internal(set) var itemVersion: Int64
    /// The title at that version.
    public internal(set) var title: String
    /// The slug at that version.
    public internal(set) var slug: String
    /// The fields at that version.
    public internal(set) var fields: [String: ContentValue]
    /// The status at that version.
    public internal(set) var status: ContentStatus
    /// The schedule at that version.
    public internal(set) var publishAt: Date?
    /// `system`, `user` or `api_key`: who made this version.
    var actorType: String
    /// The acting user's or key's id; nil for `system`.
    var actorID: Int64?
    /// When this version was made.
    public internal(set) var createdAt: Date

    /// Who made this version.
    public var actor: Actor { Actor(type: actorType, id: actorID) }

    enum CodingKeys: String, CodingKey {
        case id
        case tenantID = "tenant_id"
        case contentItemID = "content_item_id"
        case itemVersion = "item_version"
        case title
        case slug
        case fields
        case status
        case publishAt = "publish_at"
        case actorType = "actor_type"
        case actorID = "actor_id"
        case createdAt = "created_at"
    }

    /// The table's columns, for the query interface.
    public enum Columns {
        /// `id`.
        public static let id = Column(CodingKeys.id)
        /// `tenant_id`.
        public static let tenantID = Column(CodingKeys.tenantID)
        /// `content_item_id`.
        public static let contentItemID = Column(CodingKeys.contentItemID)
        /// `item_version`.
        public static let itemVersion = Column(CodingKeys.itemVersion)
    }

    /// Takes the id SQLite assigned.
    mutating public func didInsert(_ inserted: InsertionSuccess) { id = ContentRevisionID(inserted.rowID) }
}

/// Rows read and written by hand (in an extension, so the memberwise initializer stays).
extension ContentRevisionRecord {
    /// Reads a row by hand, as `ContentItemRecord` does.
    public init(row: Row) throws {
        id = row[CodingKeys.id.rawValue]
        tenantID = row[CodingKeys.tenantID.rawValue]
        contentItemID = row[CodingKeys.contentItemID.rawValue]
        itemVersion = row[CodingKeys.itemVersion.rawValue]
        title = row[CodingKeys.title.rawValue]
        slug = row[CodingKeys.slug.rawValue]
        fields = try ContentValue.storedFields(row[CodingKeys.fields.rawValue])
        status = row[CodingKeys.status.rawValue]
        publishAt = try StoredDate.optionalDate(row, CodingKeys.publishAt.rawValue)
        actorType = row[CodingKeys.actorType.rawValue]
        actorID = row[CodingKeys.actorID.rawValue]
        createdAt = try StoredDate.date(row, CodingKeys.createdAt.rawValue)
    }

    /// Writes the columns by hand, as `ContentItemRecord` does.
    public func encode(to container: inout PersistenceContainer) throws {
        container[CodingKeys.id.rawValue] = id
        container[CodingKeys.tenantID.rawValue] = tenantID
        container[CodingKeys.contentItemID.rawValue] = contentItemID
        container[CodingKeys.itemVersion.rawValue] = itemVersion
        container[CodingKeys.title.rawValue] = title
        container[CodingKeys.slug.rawValue] = slug
        container[CodingKeys.fields.rawValue] = try ContentValue.storedText(fields)
        container[CodingKeys.status.rawValue] = status
        container[CodingKeys.publishAt.rawValue] = publishAt.map(StoredDate.databaseText)
        container[CodingKeys.actorType.rawValue] = actorType
        container[CodingKeys.actorID.rawValue] = actorID
        container[CodingKeys.createdAt.rawValue] = StoredDate.databaseText(createdAt)
    }
}
