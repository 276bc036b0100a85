import Foundation
import GRDB

/// How far pruning has gone.
struct OutboxHorizon {
    /// The highest event id deleted; 0 if none.
    var prunedThrough: Int64
    /// The retention cutoff of the last prune: events created before it may be gone.
    var prunedBefore: Date?
}

/// The outbox seen from the platform: positions, retention, and consumers that read every tenant.
extension Store {
    /// A platform consumer reading every tenant's events, created at `start` if new.
    public func outboxConsumer(named name: String, startingAt start: OutboxConsumer.Start)
        throws(StoreError) -> OutboxConsumer
    {
        try openOutboxConsumer(named: name, tenantID: nil, startingAt: start)
    }

    /// The id of the newest event ever written (0 if none), pruned or not.
    public func outboxPosition() throws(StoreError) -> OutboxEventID {
        OutboxEventID(try read { db in try Self.outboxPosition(db) })
    }

    /// How far behind each consumer is, for monitoring: a platform consumer against the newest
    /// event of any tenant, a tenant's consumer against its own tenant's newest event.
    public func outboxConsumerLags() throws(StoreError) -> [OutboxConsumerLag] {
        try read { db in
            let position = try Self.outboxPosition(db)
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT c.name, c.tenant_id, c.last_event_id,
                        (SELECT max(e.id) FROM outbox_event e WHERE e.tenant_id = c.tenant_id) AS tenant_newest
                    FROM outbox_consumer c ORDER BY c.tenant_id, c.name
                    """)
            return rows.map { row in
                let tenant: Int64? = row["tenant_id"]
                let newest: Int64 = tenant == nil ? position : (row["tenant_newest"] ?? 0)
                return OutboxConsumerLag(
                    name: row["name"], tenantID: tenant.map { TenantID($0) },
                    checkpoint: OutboxEventID(row["last_event_id"]), newest: OutboxEventID(newest))
            }
        }
    }

    /// Deletes the events created more than `retention` seconds ago (the store's
    /// `outboxRetention` by default), in batches so writers are never held up long, and returns
    /// how many went.
    ///
    /// Retention wins over slow consumers: a consumer whose checkpoint falls behind what was
    /// deleted gets `.outboxConsumerBehind` and must rebuild, rather than letting one stuck
    /// consumer grow the database without bound.
    @discardableResult
    public func pruneOutbox(retention: TimeInterval?, batchSize: Int) throws(StoreError) -> Int {
        let retention = retention ?? outboxRetention
        guard retention > 0, retention.isFinite else {
            throw .invalid(field: "retention", reason: "must be a positive number of seconds")
        }
        let cutoff = clock.now().addingTimeInterval(-retention)
        var total = 0
        while true {
            let deleted = try write { db -> Int in
                let ids = try Int64.fetchAll(
                    db, sql: "SELECT id FROM outbox_event WHERE created_at < ? ORDER BY id LIMIT ?",
                    arguments: [cutoff, max(1, batchSize)])
                guard let last = ids.last else { return 0 }
                try db.execute(
                    sql: "DELETE FROM outbox_event WHERE id <= ? AND created_at < ?", arguments: [last, cutoff])
                let deleted = db.changesCount
                try db.execute(
                    sql: """
                        UPDATE outbox_horizon SET pruned_through = max(pruned_through, ?),
                            pruned_before = max(coalesce(pruned_before, ?), ?)
                        """,
                    arguments: [last, cutoff, cutoff])
                return deleted
            }
            total += deleted
            if deleted == 0 { return total }
        }
    }

    // MARK: - Inside transactions

    func openOutboxConsumer(named name: String, tenantID: TenantID?, startingAt start: OutboxConsumer.Start)
        throws(StoreError) -> OutboxConsumer
    {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...100).contains(trimmed.count),
            !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw .invalid(field: "name", reason: "a consumer name is 1 to 100 characters without control characters")
        }
        let time = clock.now()
        let record = try write { db in
            if let existing = try OutboxConsumerRecord.filter(
                OutboxConsumerRecord.Columns.tenantID == tenantID && OutboxConsumerRecord.Columns.name == trimmed
            ).fetchOne(db) {
                return existing
            }
            let checkpoint: Int64 =
                switch start {
                case .beginning: 0
                case .latest: try Self.outboxPosition(db)
                }
            var record = OutboxConsumerRecord(
                id: nil, tenantID: tenantID, name: trimmed, lastEventID: checkpoint, createdAt: time, updatedAt: time)
            try record.insert(db)
            return record
        }
        guard let recordID = record.id else { preconditionFailure("a stored consumer has an id") }
        return OutboxConsumer(name: trimmed, tenantID: tenantID, storage: self, recordID: recordID)
    }

    static func outboxPosition(_ db: Database) throws -> Int64 {
        // AUTOINCREMENT's counter: the highest id ever assigned, even after pruning.
        try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'outbox_event'") ?? 0
    }

    static func outboxHorizon(_ db: Database) throws -> OutboxHorizon {
        guard let row = try Row.fetchOne(db, sql: "SELECT pruned_through, pruned_before FROM outbox_horizon") else {
            return OutboxHorizon(prunedThrough: 0, prunedBefore: nil)
        }
        return OutboxHorizon(prunedThrough: row["pruned_through"], prunedBefore: row["pruned_before"])
    }
}

/// One outbox consumer's position against the newest event it could read.
public struct OutboxConsumerLag: Sendable, Equatable {
    /// The consumer's name.
    public let name: String
    /// The tenant it reads; nil for a platform consumer reading every tenant.
    public let tenantID: TenantID?
    /// The last event it acknowledged.
    public let checkpoint: OutboxEventID
    /// The newest event written that it could read.
    public let newest: OutboxEventID

    /// Events written and not yet acknowledged (0 when its checkpoint is past every event left).
    public var events: Int64 { max(0, newest.rawValue - checkpoint.rawValue) }
}

/// The outbox seen from one tenant.
extension TenantScope {
    /// A consumer of this tenant's events only, created at `start` if new.
    public func outboxConsumer(named name: String, startingAt start: OutboxConsumer.Start)
        throws(StoreError) -> OutboxConsumer
    {
        try store.openOutboxConsumer(named: name, tenantID: tenantID, startingAt: start)
    }

    /// This tenant's events after `cursor`, oldest first, at most `limit`.
    public func outboxEvents(after cursor: OutboxEventID, limit: Int) throws(StoreError)
        -> [OutboxEvent]
    {
        let tenantID = tenantID
        return try store.read { db in
            try OutboxEvent.filter(OutboxEvent.Columns.tenantID == tenantID && OutboxEvent.Columns.id > cursor)
                .order(OutboxEvent.Columns.id).limit(max(0, limit)).fetchAll(db)
        }
    }

    /// Appends an event in the caller's transaction; in-process subscribers wake once it commits
    /// (never before: a rolled-back change is never announced).
    @discardableResult
    func appendEvent(
        _ db: Database, aggregateType: String, aggregateID: Int64, eventType: String, payload: some Encodable,
        at time: Date
    ) throws -> OutboxEvent {
        try appendEvent(
            db, aggregateType: aggregateType, aggregateID: aggregateID, eventType: eventType,
            payloadJSON: try Self.json(payload), at: time)
    }

    /// Appends an event whose payload is already JSON text (written by a hot path's own writer,
    /// the same text `json(_:)` gives).
    @discardableResult
    func appendEvent(
        _ db: Database, aggregateType: String, aggregateID: Int64, eventType: String, payloadJSON: String,
        at time: Date
    ) throws -> OutboxEvent {
        try appendEvent(
            db, aggregateType: aggregateType, aggregateID: aggregateID, eventType: eventType,
            payloadJSON: payloadJSON, at: RowDates(time))
    }

    /// Appends an event stamped with a write's shared time texts, queued in `deferred` (a bulk
    /// write's, which hands back no id) when given.
    @discardableResult
    func appendEvent(
        _ db: Database, aggregateType: String, aggregateID: Int64, eventType: String, payloadJSON: String,
        at dates: RowDates, deferred: DeferredLogRows? = nil
    ) throws -> OutboxEvent {
        var event = OutboxEvent(
            id: nil, tenantID: tenantID, aggregateType: aggregateType, aggregateID: aggregateID,
            eventType: eventType, payload: payloadJSON, createdAt: dates.time)
        if let deferred {
            try deferred.append(event, db)
        } else {
            try event.insertRow(db, dates: dates)
        }
        store.outboxNotifier.signalAfterCommit(of: db)
        return event
    }

    /// `value` as canonical JSON text: sorted keys, ISO 8601 dates.
    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
