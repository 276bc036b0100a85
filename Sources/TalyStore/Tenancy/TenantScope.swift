import Foundation
import GRDB

/// The only door to one tenant's records: every read and write of tenant-owned data is a method
/// of this type and filters on its `tenantID`.
///
/// A scope is obtained from `Store.tenant(_:)` (which checks that the tenant exists) and cannot be
/// built outside the module, so code above the store cannot touch a tenant-owned row without
/// naming the tenant. A record id from another tenant is simply not found through this scope.
public struct TenantScope: Sendable {
    /// The tenant every method works in.
    public let tenantID: TenantID
    let store: Store

    init(tenantID: TenantID, store: Store) {
        self.tenantID = tenantID
        self.store = store
    }

    /// The tenant's own record.
    public func tenant() throws(StoreError) -> TenantRecord {
        let id = tenantID
        let found = try store.read { db in try TenantRecord.fetchOne(db, key: id) }
        guard let found else { throw .notFound(entity: "tenant", key: id.description) }
        return found
    }

    /// `ids` sorted and cut into lists short enough for one `IN (…)` each (SQLite caps a
    /// statement's parameters).
    static func chunked<Record>(_ ids: [RecordID<Record>]) -> [ArraySlice<RecordID<Record>>] {
        let sorted = ids.sorted()
        return stride(from: 0, to: sorted.count, by: 1000).map { sorted[$0..<min($0 + 1000, sorted.count)] }
    }

    /// The current time, from the store's clock.
    var now: Date { store.clock.now() }

    /// Appends an audit entry in the caller's transaction.
    func audit(
        _ db: Database, actor: Actor, action: String, targetType: String, targetID: Int64?,
        details: [String: String] = [:], at time: Date
    ) throws {
        try audit(
            db, actor: actor, action: action, targetType: targetType, targetID: targetID, details: details,
            at: RowDates(time))
    }

    /// Appends an audit entry stamped with a write's shared time texts, queued in `deferred`
    /// (a bulk write's) when given.
    func audit(
        _ db: Database, actor: Actor, action: String, targetType: String, targetID: Int64?,
        details: [String: String] = [:], at dates: RowDates, deferred: DeferredLogRows? = nil
    ) throws {
        try audit(
            db, actor: actor, action: action, targetType: targetType, targetID: targetID,
            detailsJSON: Self.json(details), at: dates, deferred: deferred)
    }

    /// Appends an audit entry whose details are already JSON text (`json(_:)` of them).
    func audit(
        _ db: Database, actor: Actor, action: String, targetType: String, targetID: Int64?,
        detailsJSON: String, at dates: RowDates, deferred: DeferredLogRows? = nil
    ) throws {
        let (actorType, actorID) = actor.columns
        var entry = AuditLogRecord(
            id: nil, tenantID: tenantID, actorType: actorType, actorID: actorID, action: action,
            targetType: targetType, targetID: targetID, occurredAt: dates.time, details: detailsJSON)
        if let deferred {
            try deferred.append(entry, db)
        } else {
            try entry.insertRow(db, dates: dates)
        }
    }

    /// `details` as canonical JSON text, the text `json(_:)` writes, without `JSONEncoder`'s
    /// cost on every audited change.
    static func json(_ details: [String: String]) -> String {
        var writer = CanonicalJSONWriter(escapesSlashes: false, capacity: 64)
        writer.object(details)
        return writer.text
    }

    /// The audit log, oldest first, after `cursor` (exclusive), at most `limit` entries.
    public func auditLog(after cursor: AuditEntryID?, limit: Int) throws(StoreError) -> [AuditLogRecord] {
        let tenantID = tenantID
        return try store.read { db in
            var request = AuditLogRecord.filter(AuditLogRecord.Columns.tenantID == tenantID)
            if let cursor { request = request.filter(AuditLogRecord.Columns.id > cursor) }
            return try request.order(AuditLogRecord.Columns.id).limit(max(0, limit)).fetchAll(db)
        }
    }
}
