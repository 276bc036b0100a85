import Foundation
import GRDB

/// What consumers of `content_type.*` events receive.
struct ContentTypeEvent: Encodable {
    let id: Int64
    let name: String
    let displayName: String
    let fields: [ContentFieldDefinition]
    let version: Int64

    init(_ type: ContentTypeRecord) {
        id = type.id?.rawValue ?? 0
        name = type.name
        displayName = type.displayName
        fields = type.fields
        version = type.version
    }
}

/// Content types: the tenant-defined schemas of content items.
extension TenantScope {
    /// Creates a content type; its name must be unused in the tenant.
    public func createContentType(
        name: String, displayName: String, fields: [ContentFieldDefinition], by actor: Actor
    ) throws(StoreError) -> ContentTypeRecord {
        guard ContentFieldDefinition.isIdentifier(name) else {
            throw .invalid(
                field: "name", reason: "must start with a lowercase letter and hold only a-z, 0-9 and _, at most 64")
        }
        let displayName = try Self.validDisplayName(displayName)
        try ContentFieldDefinition.validate(fields)
        let time = now
        return try store.write { db in
            var type = ContentTypeRecord(
                id: nil, tenantID: tenantID, name: name, displayName: displayName, fields: fields, createdAt: time,
                updatedAt: time, version: 1)
            try type.insert(db)
            try recordContentTypeChange(db, type, action: "create", event: "created", by: actor, at: time)
            return type
        }
    }

    /// Replaces a content type's display name and fields, if it is still at `expectedVersion`.
    ///
    /// Every existing item must still be valid under the new fields (a field made required, a
    /// type changed, a field removed while items use it): otherwise the error names the first
    /// item and field at fault, and nothing changes.
    public func updateContentType(
        _ id: ContentTypeID, expectedVersion: Int64, displayName: String, fields: [ContentFieldDefinition],
        by actor: Actor
    ) throws(StoreError) -> ContentTypeRecord {
        let displayName = try Self.validDisplayName(displayName)
        try ContentFieldDefinition.validate(fields)
        let time = now
        let tenantID = tenantID
        return try store.write { db in
            var type = try fetchContentType(db, id, expectedVersion: expectedVersion)
            type.displayName = displayName
            type.fields = fields
            type.version += 1
            type.updatedAt = max(time, type.createdAt)
            let items = try ContentItemRecord.filter(
                ContentItemRecord.Columns.tenantID == tenantID && ContentItemRecord.Columns.contentTypeID == id
            ).order(ContentItemRecord.Columns.id).fetchCursor(db)
            while let item = try items.next() {
                do {
                    _ = try ContentValidation.check(item.fields, against: type)
                } catch StoreError.invalid(let field, let reason) {
                    throw StoreError.invalid(
                        field: field, reason: "content item \(item.id?.description ?? "?") would break: \(reason)")
                }
            }
            try type.update(db)
            try recordContentTypeChange(db, type, action: "update", event: "updated", by: actor, at: time)
            return type
        }
    }

    /// Deletes a content type that has no items left, if it is still at `expectedVersion`.
    public func deleteContentType(_ id: ContentTypeID, expectedVersion: Int64, by actor: Actor) throws(StoreError) {
        let time = now
        let tenantID = tenantID
        try store.write { db in
            let type = try fetchContentType(db, id, expectedVersion: expectedVersion)
            let items = try ContentItemRecord.filter(
                ContentItemRecord.Columns.tenantID == tenantID && ContentItemRecord.Columns.contentTypeID == id
            ).fetchCount(db)
            guard items == 0 else {
                throw StoreError.constraintViolation(reason: "content type \(type.name) still has \(items) items")
            }
            try type.delete(db)
            try recordContentTypeChange(db, type, action: "delete", event: "deleted", by: actor, at: time)
        }
    }

    /// The content type with `id` in this tenant.
    public func contentType(_ id: ContentTypeID) throws(StoreError) -> ContentTypeRecord {
        try store.read { db in try fetchContentType(db, id) }
    }

    /// The content type named `name` in this tenant, or nil.
    public func contentType(named name: String) throws(StoreError) -> ContentTypeRecord? {
        let tenantID = tenantID
        return try store.read { db in
            try ContentTypeRecord.filter(
                ContentTypeRecord.Columns.tenantID == tenantID && ContentTypeRecord.Columns.name == name
            ).fetchOne(db)
        }
    }

    /// Every content type of the tenant, by id.
    public func contentTypes() throws(StoreError) -> [ContentTypeRecord] {
        let tenantID = tenantID
        return try store.read { db in
            try ContentTypeRecord.filter(ContentTypeRecord.Columns.tenantID == tenantID)
                .order(ContentTypeRecord.Columns.id).fetchAll(db)
        }
    }

    // MARK: - Inside transactions

    /// The content type `id` of this tenant, checked against `expectedVersion` when given.
    func fetchContentType(_ db: Database, _ id: ContentTypeID, expectedVersion: Int64? = nil) throws
        -> ContentTypeRecord
    {
        // A cached statement: the query interface prepares its SQL anew on every call.
        let statement = try db.cachedStatement(sql: "SELECT * FROM content_type WHERE tenant_id = ? AND id = ?")
        guard let type = try ContentTypeRecord.fetchOne(statement, arguments: [tenantID, id]) else {
            throw StoreError.notFound(entity: "content type", key: id.description)
        }
        if let expectedVersion, type.version != expectedVersion {
            throw StoreError.versionConflict(
                entity: "content type", id: id.rawValue, expected: expectedVersion, actual: type.version)
        }
        return type
    }

    private func recordContentTypeChange(
        _ db: Database, _ type: ContentTypeRecord, action: String, event: String, by actor: Actor, at time: Date
    ) throws {
        let id = type.id?.rawValue ?? 0
        try audit(
            db, actor: actor, action: "content_type.\(action)", targetType: "content_type", targetID: id,
            details: ["name": type.name, "version": String(type.version)], at: time)
        try appendEvent(
            db, aggregateType: "content_type", aggregateID: id, eventType: "content_type.\(event)",
            payload: ContentTypeEvent(type), at: time)
    }
}
