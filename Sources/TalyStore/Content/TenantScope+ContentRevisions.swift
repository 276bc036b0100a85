import Foundation
import GRDB

/// Revisions: every version of an item is kept, and any can be restored.
extension TenantScope {
    /// The revisions of item `id`, oldest first.
    public func contentRevisions(of id: ContentItemID) throws(StoreError) -> [ContentRevisionRecord] {
        let tenantID = tenantID
        return try store.read { db in
            _ = try fetchContentItem(db, id)
            return try ContentRevisionRecord.filter(
                ContentRevisionRecord.Columns.tenantID == tenantID && ContentRevisionRecord.Columns.contentItemID == id
            ).order(ContentRevisionRecord.Columns.itemVersion).fetchAll(db)
        }
    }

    /// The revision with `id` in this tenant.
    public func contentRevision(_ id: ContentRevisionID) throws(StoreError) -> ContentRevisionRecord {
        try store.read { db in try fetchContentRevision(db, id) }
    }

    /// Makes the item's title, slug, fields and schedule those of `revisionID` again, as a new
    /// version (and so a new revision), if the item is still at `expectedVersion`. The status is
    /// unchanged; the fields must be valid under the content type as it is now.
    public func restoreContentRevision(_ revisionID: ContentRevisionID, expectedVersion: Int64, by actor: Actor)
        throws(StoreError) -> ContentItemRecord
    {
        let time = now
        return try store.write { db in
            let revision = try fetchContentRevision(db, revisionID)
            var item = try fetchContentItem(db, revision.contentItemID, expectedVersion: expectedVersion)
            let type = try fetchContentType(db, item.contentTypeID)
            item.fields = try checkedFields(db, revision.fields, against: type)
            item.title = revision.title
            if revision.slug != item.slug {
                let owner = try ContentItemRecord.filter(
                    ContentItemRecord.Columns.tenantID == tenantID
                        && ContentItemRecord.Columns.contentTypeID == item.contentTypeID
                        && ContentItemRecord.Columns.slug == revision.slug
                ).fetchOne(db)
                if owner != nil { throw StoreError.duplicate(entity: "content item", field: "slug") }
                item.slug = revision.slug
            }
            item.publishAt = item.status == .draft ? revision.publishAt : nil
            try saveChange(db, &item, type: type, action: "restore", event: "updated", by: actor, at: time)
            return item
        }
    }

    // MARK: - Inside transactions

    func fetchContentRevision(_ db: Database, _ id: ContentRevisionID) throws -> ContentRevisionRecord {
        guard
            let revision = try ContentRevisionRecord.filter(
                ContentRevisionRecord.Columns.tenantID == tenantID && ContentRevisionRecord.Columns.id == id
            ).fetchOne(db)
        else { throw StoreError.notFound(entity: "content revision", key: id.description) }
        return revision
    }
}
