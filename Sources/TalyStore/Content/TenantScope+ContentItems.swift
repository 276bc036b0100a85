import Foundation
import GRDB

/// What an editor saves: everything about an item but its status.
public struct ContentItemDraft: Sendable, Equatable {
    /// The title, 1 to 500 characters.
    public var title: String
    /// The URL key (`a-z`, `0-9` and single hyphens); nil: generated from the title when the
    /// item is created, kept as it is when the item is updated (links stay valid).
    public var slug: String?
    /// The field values, checked against the content type.
    public var fields: [String: ContentValue]
    /// When the draft is due to be published; nil: not scheduled.
    public var publishAt: Date?

    /// A draft with the given title and values.
    public init(title: String, slug: String? = nil, fields: [String: ContentValue] = [:], publishAt: Date? = nil) {
        self.title = title
        self.slug = slug
        self.fields = fields
        self.publishAt = publishAt
    }
}

extension ContentItemDraft {
    /// Every problem of this draft under `type`, so a client can fix them all at once: the title,
    /// the slug when given, then each field (`fields.<name>`). Whether referenced items exist and
    /// whether the slug is free are only known when saving.
    public func problems(against type: ContentTypeRecord) -> [StoreError] {
        var problems: [StoreError] = []
        do { _ = try TenantScope.validTitle(title) } catch { problems.append(error) }
        if let slug {
            do { _ = try TenantScope.validSlug(slug) } catch { problems.append(error) }
        }
        return problems + ContentValidation.problems(fields, against: type)
    }
}

/// What consumers of `content_item.*` events receive: the item after the change.
struct ContentItemEvent: Encodable {
    let id: Int64
    let contentTypeID: Int64
    let contentType: String
    let title: String
    let slug: String
    let status: ContentStatus
    let fields: [String: ContentValue]
    let publishAt: Date?
    let publishedAt: Date?
    let updatedAt: Date
    let version: Int64

    init(_ item: ContentItemRecord, type: ContentTypeRecord) {
        id = item.id?.rawValue ?? 0
        contentTypeID = item.contentTypeID.rawValue
        contentType = type.name
        title = item.title
        slug = item.slug
        status = item.status
        fields = item.fields
        publishAt = item.publishAt
        publishedAt = item.publishedAt
        updatedAt = item.updatedAt
        version = item.version
    }

    /// The payload text, byte for byte what `TenantScope.json(self)` writes (the synthesized
    /// `Encodable` keys in UTF-8 order, absent optionals left out, ISO 8601 dates), written by
    /// hand because every content write sends one; `dates` holds the write's time formatted.
    func json(dates: RowDates) throws -> String {
        var writer = CanonicalJSONWriter(escapesSlashes: false, capacity: 512)
        writer.raw("{")
        writer.key("contentType", first: true)
        writer.string(contentType)
        writer.key("contentTypeID")
        writer.integer(contentTypeID)
        writer.key("fields")
        try writer.object(fields, depth: 1)
        writer.key("id")
        writer.integer(id)
        if let publishAt {
            writer.key("publishAt")
            writer.string(dates.iso8601(publishAt))
        }
        if let publishedAt {
            writer.key("publishedAt")
            writer.string(dates.iso8601(publishedAt))
        }
        writer.key("slug")
        writer.string(slug)
        writer.key("status")
        writer.string(status.rawValue)
        writer.key("title")
        writer.string(title)
        writer.key("updatedAt")
        writer.string(dates.iso8601(updatedAt))
        writer.key("version")
        writer.integer(version)
        writer.raw("}")
        return writer.text
    }
}

/// Content items: creation, edits, the publishing life cycle and scheduled publishing.
extension TenantScope {
    /// Creates a draft item of content type `typeID`; each call keeps revision 1.
    public func createContentItem(of typeID: ContentTypeID, _ draft: ContentItemDraft, by actor: Actor)
        throws(StoreError) -> ContentItemRecord
    {
        let title = try Self.validTitle(draft.title)
        let slug = try draft.slug.map { slug throws(StoreError) in try Self.validSlug(slug) }
        let time = now
        return try store.write { db in
            let type = try fetchContentType(db, typeID)
            return try insertContentItem(
                db, draft, title: title, slug: slug, type: type, by: actor, at: RowDates(time))
        }
    }

    /// Creates draft items of type `typeID` in one transaction: all of them or none. Errors about
    /// one draft name it: `items[3].fields.body`.
    public func createContentItems(of typeID: ContentTypeID, _ drafts: [ContentItemDraft], by actor: Actor)
        throws(StoreError) -> [ContentItemRecord]
    {
        var names: [(title: String, slug: String?)] = []
        names.reserveCapacity(drafts.count)
        for (index, draft) in drafts.enumerated() {
            do {
                names.append(
                    (
                        try Self.validTitle(draft.title),
                        try draft.slug.map { slug throws(StoreError) in try Self.validSlug(slug) }
                    ))
            } catch {
                throw Self.naming(error, item: index)
            }
        }
        let dates = RowDates(now)
        return try store.write { db in
            let type = try fetchContentType(db, typeID)
            var items: [ContentItemRecord] = []
            items.reserveCapacity(drafts.count)
            for (index, draft) in drafts.enumerated() {
                do {
                    items.append(
                        try insertContentItem(
                            db, draft, title: names[index].title, slug: names[index].slug, type: type, by: actor,
                            at: dates))
                } catch let error as StoreError {
                    throw Self.naming(error, item: index)
                }
            }
            return items
        }
    }

    /// Replaces an item's title, slug (when given), fields and schedule, if it is still at
    /// `expectedVersion`; its status is unchanged.
    public func updateContentItem(
        _ id: ContentItemID, expectedVersion: Int64, _ draft: ContentItemDraft, by actor: Actor
    ) throws(StoreError) -> ContentItemRecord {
        let title = try Self.validTitle(draft.title)
        let slug = try draft.slug.map { slug throws(StoreError) in try Self.validSlug(slug) }
        let time = now
        return try store.write { db in
            var item = try fetchContentItem(db, id, expectedVersion: expectedVersion)
            let type = try fetchContentType(db, item.contentTypeID)
            item.fields = try checkedFields(db, draft.fields, against: type)
            item.title = title
            item.slug = slug ?? item.slug
            item.publishAt = draft.publishAt
            try saveChange(db, &item, type: type, action: "update", event: "updated", by: actor, at: time)
            return item
        }
    }

    /// Publishes a draft or archived item now, if it is still at `expectedVersion`.
    public func publishContentItem(_ id: ContentItemID, expectedVersion: Int64, by actor: Actor) throws(StoreError)
        -> ContentItemRecord
    {
        try changeStatus(of: id, expectedVersion: expectedVersion, to: .published, by: actor)
    }

    /// Takes a published or archived item back to draft, if it is still at `expectedVersion`.
    public func unpublishContentItem(_ id: ContentItemID, expectedVersion: Int64, by actor: Actor) throws(StoreError)
        -> ContentItemRecord
    {
        try changeStatus(of: id, expectedVersion: expectedVersion, to: .draft, by: actor)
    }

    /// Archives a draft or published item, if it is still at `expectedVersion`.
    public func archiveContentItem(_ id: ContentItemID, expectedVersion: Int64, by actor: Actor) throws(StoreError)
        -> ContentItemRecord
    {
        try changeStatus(of: id, expectedVersion: expectedVersion, to: .archived, by: actor)
    }

    /// Deletes an item and its revisions, if it is still at `expectedVersion`; the audit log and
    /// the `content_item.deleted` event remain.
    public func deleteContentItem(_ id: ContentItemID, expectedVersion: Int64, by actor: Actor) throws(StoreError) {
        let time = now
        try store.write { db in
            let item = try fetchContentItem(db, id, expectedVersion: expectedVersion)
            let type = try fetchContentType(db, item.contentTypeID)
            try item.delete(db)
            try recordContentItemChange(
                db, item, fieldsText: nil, type: type, action: "delete", event: "deleted", by: actor,
                at: RowDates(time))
        }
    }

    /// The item with `id` in this tenant.
    public func contentItem(_ id: ContentItemID) throws(StoreError) -> ContentItemRecord {
        try store.readOneStatement { db in try fetchContentItem(db, id) }
    }

    /// The items of this tenant among `ids`, in id order, read in one transaction; ids that are
    /// not (or no longer) the tenant's are left out.
    public func contentItems(ids: [ContentItemID]) throws(StoreError) -> [ContentItemRecord] {
        let tenantID = tenantID
        return try store.read { db in
            try Self.chunked(ids).flatMap { chunk in
                try ContentItemRecord.filter(
                    ContentItemRecord.Columns.tenantID == tenantID && chunk.contains(ContentItemRecord.Columns.id)
                ).order(ContentItemRecord.Columns.id).fetchAll(db)
            }
        }
    }

    public func lastContentItemID() throws(StoreError) -> ContentItemID? {
        let tenantID = tenantID
        return try store.read { db in
            try Int64.fetchOne(
                db, sql: "SELECT max(id) FROM \(ContentItemRecord.databaseTableName) WHERE tenant_id = ?",
                arguments: [tenantID]
            ).map(ContentItemID.init)
        }
    }

    /// The item of type `typeID` with this slug, or nil.
    public func contentItem(of typeID: ContentTypeID, slug: String) throws(StoreError) -> ContentItemRecord? {
        let tenantID = tenantID
        return try store.read { db in
            try ContentItemRecord.filter(
                ContentItemRecord.Columns.tenantID == tenantID && ContentItemRecord.Columns.contentTypeID == typeID
                    && ContentItemRecord.Columns.slug == slug
            ).fetchOne(db)
        }
    }

    /// The tenant's items by id, optionally of one type and status and last changed in
    /// [`updatedSince`, `updatedBefore`), after `cursor` (exclusive), at most `limit`.
    public func contentItems(
        of typeID: ContentTypeID?, status: ContentStatus?, updatedSince: Date?, updatedBefore: Date?,
        after cursor: ContentItemID?, limit: Int
    ) throws(StoreError) -> [ContentItemRecord] {
        let tenantID = tenantID
        return try store.read { db in
            var request = ContentItemRecord.filter(ContentItemRecord.Columns.tenantID == tenantID)
            if let typeID { request = request.filter(ContentItemRecord.Columns.contentTypeID == typeID) }
            if let status { request = request.filter(ContentItemRecord.Columns.status == status) }
            if let updatedSince { request = request.filter(ContentItemRecord.Columns.updatedAt >= updatedSince) }
            if let updatedBefore { request = request.filter(ContentItemRecord.Columns.updatedAt < updatedBefore) }
            if let cursor { request = request.filter(ContentItemRecord.Columns.id > cursor) }
            return try request.order(ContentItemRecord.Columns.id).limit(max(0, limit)).fetchAll(db)
        }
    }

    /// Publishes this tenant's drafts whose `publishAt` has come, oldest schedule first, at most
    /// `limit`, in one transaction; returns them.
    @discardableResult
    public func publishDueContentItems(limit: Int, by actor: Actor) throws(StoreError)
        -> [ContentItemRecord]
    {
        let time = now
        let tenantID = tenantID
        return try store.write { db in
            let due = try ContentItemRecord.filter(
                ContentItemRecord.Columns.status == ContentStatus.draft
                    && ContentItemRecord.Columns.publishAt != nil && ContentItemRecord.Columns.publishAt <= time
                    && ContentItemRecord.Columns.tenantID == tenantID
            ).order(ContentItemRecord.Columns.publishAt, ContentItemRecord.Columns.id).limit(max(0, limit)).fetchAll(db)
            var published: [ContentItemRecord] = []
            for var item in due {
                let type = try fetchContentType(db, item.contentTypeID)
                try publish(db, &item, type: type, action: "publish_scheduled", by: actor, at: time)
                published.append(item)
            }
            return published
        }
    }

    // MARK: - Inside transactions

    /// The item `id` of this tenant, checked against `expectedVersion` when given.
    func fetchContentItem(_ db: Database, _ id: ContentItemID, expectedVersion: Int64? = nil) throws
        -> ContentItemRecord
    {
        // A cached statement: the query interface prepares its SQL anew on every call.
        let statement = try db.cachedStatement(sql: "SELECT * FROM content_item WHERE tenant_id = ? AND id = ?")
        guard let item = try ContentItemRecord.fetchOne(statement, arguments: [tenantID, id]) else {
            throw StoreError.notFound(entity: "content item", key: id.description)
        }
        if let expectedVersion, item.version != expectedVersion {
            throw StoreError.versionConflict(
                entity: "content item", id: id.rawValue, expected: expectedVersion, actual: item.version)
        }
        return item
    }

    /// Inserts a draft item at version 1 with its revision, audit entry and event.
    func insertContentItem(
        _ db: Database, _ draft: ContentItemDraft, title: String, slug: String?, type: ContentTypeRecord,
        by actor: Actor, at dates: RowDates, deferred: DeferredLogRows? = nil
    ) throws -> ContentItemRecord {
        guard let typeID = type.id else { preconditionFailure("a stored type has an id") }
        let checked = try checkedFields(db, draft.fields, against: type)
        var item = ContentItemRecord(
            id: nil, tenantID: tenantID, contentTypeID: typeID, title: title,
            slug: try slug ?? uniqueSlug(db, typeID: typeID, base: Self.slug(fromTitle: title)),
            fields: checked, status: .draft, publishAt: draft.publishAt, publishedAt: nil, createdAt: dates.time,
            updatedAt: dates.time, version: 1)
        // The item and its revision store the same fields text: written once.
        let fieldsText = try ContentValue.storedText(checked)
        try item.insertRow(db, fieldsText: fieldsText, dates: dates)
        try recordContentItemChange(
            db, item, fieldsText: fieldsText, type: type, action: "create", event: "created", by: actor, at: dates,
            deferred: deferred)
        return item
    }

    /// `error` with the field it names prefixed by the draft's position in a batch.
    static func naming(_ error: StoreError, item index: Int) -> StoreError {
        guard case .invalid(let field, let reason) = error else { return error }
        return .invalid(field: "items[\(index)].\(field)", reason: reason)
    }

    /// The values to store, after checking types and that every referenced item is this tenant's.
    func checkedFields(_ db: Database, _ fields: [String: ContentValue], against type: ContentTypeRecord) throws
        -> [String: ContentValue]
    {
        let checked = try ContentValidation.check(fields, against: type)
        guard !checked.references.isEmpty else { return checked.fields }
        let wanted = Set(checked.references.map(\.id))
        let found = Set(
            try ContentItemRecord.filter(
                ContentItemRecord.Columns.tenantID == tenantID && wanted.contains(ContentItemRecord.Columns.id)
            ).select(ContentItemRecord.Columns.id, as: Int64.self).fetchAll(db))
        if let missing = checked.references.first(where: { !found.contains($0.id) }) {
            throw StoreError.invalid(field: missing.field, reason: "no content item \(missing.id) in this tenant")
        }
        return checked.fields
    }

    /// Bumps the version, stores the item with its new revision, audit entry and event.
    func saveChange(
        _ db: Database, _ item: inout ContentItemRecord, type: ContentTypeRecord, action: String, event: String,
        by actor: Actor, at time: Date, deferred: DeferredLogRows? = nil
    ) throws {
        item.version += 1
        item.updatedAt = max(time, item.createdAt)
        try item.update(db)
        try recordContentItemChange(
            db, item, fieldsText: nil, type: type, action: action, event: event, by: actor,
            at: deferred?.dates ?? RowDates(time), deferred: deferred)
    }

    private func changeStatus(
        of id: ContentItemID, expectedVersion: Int64, to status: ContentStatus, by actor: Actor
    ) throws(StoreError) -> ContentItemRecord {
        let time = now
        return try store.write { db in
            var item = try fetchContentItem(db, id, expectedVersion: expectedVersion)
            guard item.status != status else {
                throw StoreError.invalid(field: "status", reason: "content item \(id) is already \(status.rawValue)")
            }
            let type = try fetchContentType(db, item.contentTypeID)
            switch status {
            case .published:
                try publish(db, &item, type: type, action: "publish", by: actor, at: time)
            case .draft:
                item.status = .draft
                try saveChange(db, &item, type: type, action: "unpublish", event: "unpublished", by: actor, at: time)
            case .archived:
                item.status = .archived
                item.publishAt = nil
                try saveChange(db, &item, type: type, action: "archive", event: "archived", by: actor, at: time)
            }
            return item
        }
    }

    private func publish(
        _ db: Database, _ item: inout ContentItemRecord, type: ContentTypeRecord, action: String, by actor: Actor,
        at time: Date
    ) throws {
        item.status = .published
        item.publishedAt = time
        // Done: an unpublished item must not be republished by the old schedule.
        item.publishAt = nil
        try saveChange(db, &item, type: type, action: action, event: "published", by: actor, at: time)
    }

    /// Keeps the revision of the item's current version, and writes the audit entry and event.
    /// `fieldsText` is the item's stored fields text when the caller already wrote it.
    private func recordContentItemChange(
        _ db: Database, _ item: ContentItemRecord, fieldsText: String?, type: ContentTypeRecord, action: String,
        event: String, by actor: Actor, at dates: RowDates, deferred: DeferredLogRows? = nil
    ) throws {
        guard let id = item.id else { preconditionFailure("a stored item has an id") }
        if event != "deleted" {
            let (actorType, actorID) = actor.columns
            var revision = ContentRevisionRecord(
                id: nil, tenantID: tenantID, contentItemID: id, itemVersion: item.version, title: item.title,
                slug: item.slug, fields: item.fields, status: item.status, publishAt: item.publishAt,
                actorType: actorType, actorID: actorID, createdAt: dates.time)
            try revision.insertRow(db, fieldsText: try fieldsText ?? ContentValue.storedText(item.fields), dates: dates)
        }
        try audit(
            db, actor: actor, action: "content_item.\(action)", targetType: "content_item", targetID: id.rawValue,
            details: ["type": type.name, "slug": item.slug, "version": String(item.version)], at: dates,
            deferred: deferred)
        try appendEvent(
            db, aggregateType: "content_item", aggregateID: id.rawValue, eventType: "content_item.\(event)",
            payloadJSON: try ContentItemEvent(item, type: type).json(dates: dates), at: dates, deferred: deferred)
    }
}

/// Titles and slugs.
extension TenantScope {
    static func validTitle(_ text: String) throws(StoreError) -> String {
        let trimmed = TextRules.trimmed(text)
        guard !trimmed.isEmpty, TextRules.fits(trimmed, characters: 500) else {
            throw .invalid(field: "title", reason: "must be 1 to 500 characters")
        }
        guard !TextRules.hasControlCharacter(trimmed) else {
            throw .invalid(field: "title", reason: "contains control characters")
        }
        return trimmed
    }

    /// A slug given by the caller: `a-z`, `0-9`, single hyphens between them, at most 200 bytes.
    static func validSlug(_ text: String) throws(StoreError) -> String {
        let bytes = Array(text.utf8)
        let isAlphanumeric = { (byte: UInt8) in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        guard (1...200).contains(bytes.count), isAlphanumeric(bytes[0]), isAlphanumeric(bytes[bytes.count - 1]),
            bytes.allSatisfy({ isAlphanumeric($0) || $0 == UInt8(ascii: "-") }),
            !zip(bytes, bytes.dropFirst()).contains(where: { $0 == UInt8(ascii: "-") && $1 == UInt8(ascii: "-") })
        else {
            throw .invalid(
                field: "slug", reason: "use a-z, 0-9 and single hyphens between them, at most 200 characters")
        }
        return text
    }

    /// The slug a title suggests: accents folded, lowercase ASCII letters and digits joined by
    /// single hyphens, at most 100 characters; `item` when nothing is left.
    static func slug(fromTitle title: String) -> String {
        // Folding leaves ASCII as it is but for case, which the end lowercases anyway, and costs
        // microseconds through Foundation: most titles skip it.
        slug(fromFolded: title.utf8.allSatisfy { $0 < 0x80 } ? title : folded(title))
    }

    static func folded(_ title: String) -> String {
        title.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil)
    }

    static func slug(fromFolded folded: String) -> String {
        var slug = ""
        var pendingHyphen = false
        for scalar in folded.unicodeScalars {
            if scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                if pendingHyphen, !slug.isEmpty { slug.append("-") }
                pendingHyphen = false
                slug.unicodeScalars.append(scalar)
                if slug.utf8.count >= 100 { break }
            } else {
                pendingHyphen = true
            }
        }
        return slug.isEmpty ? "item" : slug.lowercased()
    }

    /// `base`, or `base-2`, `base-3`… : the first not taken in the type.
    func uniqueSlug(_ db: Database, typeID: ContentTypeID, base: String) throws -> String {
        // One range on the unique index instead of LIKE, which SQLite would answer by scanning
        // every slug of the type. Slugs hold only a-z, 0-9 and `-`, and `.` is the byte after
        // `-`, so [base, base + ".") holds exactly `base` and `base-…`.
        let statement = try db.cachedStatement(
            sql: """
                SELECT slug FROM content_item
                WHERE tenant_id = ? AND content_type_id = ? AND slug >= ? AND slug < ?
                """)
        let taken = try String.fetchSet(statement, arguments: [tenantID, typeID, base, base + "."])
        if !taken.contains(base) { return base }
        var suffix = 2
        while taken.contains("\(base)-\(suffix)") { suffix += 1 }
        return "\(base)-\(suffix)"
    }
}
