import Foundation
import GRDB
import GRDBSQLite

/// The SQLite side of outbox consumers: the checkpoint is a row of `outbox_consumer`, events are
/// read by id (AUTOINCREMENT, so commit order) from `outbox_event`.
extension Store: OutboxConsumerStorage {
    func dataVersion() -> Int64? { dataVersions.current() }

    func checkpoint(of consumer: OutboxConsumer) throws(StoreError) -> OutboxEventID {
        try read { db in OutboxEventID(try Self.fetchRecord(db, of: consumer).lastEventID) }
    }

    func pendingEvents(of consumer: OutboxConsumer, limit: Int) throws(StoreError) -> [OutboxEvent] {
        try read { db in
            try Self.fetchEvents(
                db, of: consumer, after: OutboxEventID(try Self.fetchRecord(db, of: consumer).lastEventID), limit: limit
            )
        }
    }

    func events(of consumer: OutboxConsumer, after cursor: OutboxEventID, limit: Int) throws(StoreError)
        -> [OutboxEvent]
    {
        try read { db in try Self.fetchEvents(db, of: consumer, after: cursor, limit: limit) }
    }

    func acknowledge(_ consumer: OutboxConsumer, through eventID: OutboxEventID) throws(StoreError) {
        let time = clock.now()
        try write { db in
            var record = try Self.fetchRecord(db, of: consumer)
            guard eventID.rawValue > record.lastEventID else { return }
            guard eventID.rawValue <= (try Store.outboxPosition(db)) else {
                throw StoreError.invalid(field: "eventID", reason: "event \(eventID) has not been written yet")
            }
            record.lastEventID = eventID.rawValue
            record.updatedAt = max(time, record.createdAt)
            try record.update(db)
        }
    }

    func resetCheckpoint(of consumer: OutboxConsumer, to eventID: OutboxEventID) throws(StoreError) {
        try reset(consumer) { db throws in
            guard eventID.rawValue >= 0, eventID.rawValue <= (try Store.outboxPosition(db)) else {
                throw StoreError.invalid(field: "eventID", reason: "event \(eventID) has not been written yet")
            }
            return eventID.rawValue
        }
    }

    func resetCheckpoint(of consumer: OutboxConsumer, toEventsSince time: Date) throws(StoreError) {
        try reset(consumer) { db throws in
            let horizon = try Store.outboxHorizon(db)
            if let prunedBefore = horizon.prunedBefore, time < prunedBefore {
                throw StoreError.outboxConsumerBehind(
                    consumer: consumer.name, checkpoint: 0, prunedThrough: horizon.prunedThrough)
            }
            let before = try Int64.fetchOne(
                db, sql: "SELECT max(id) FROM outbox_event WHERE created_at < ?", arguments: [time])
            return max(before ?? 0, horizon.prunedThrough)
        }
    }

    // MARK: - Inside transactions

    private func reset(_ consumer: OutboxConsumer, to checkpoint: (Database) throws -> Int64) throws(StoreError) {
        let time = clock.now()
        try write { db in
            var record = try Self.fetchRecord(db, of: consumer)
            let target = try checkpoint(db)
            let horizon = try Store.outboxHorizon(db)
            guard target >= horizon.prunedThrough else {
                throw StoreError.outboxConsumerBehind(
                    consumer: consumer.name, checkpoint: target, prunedThrough: horizon.prunedThrough)
            }
            record.lastEventID = target
            record.updatedAt = max(time, record.createdAt)
            try record.update(db)
        }
    }

    private static func fetchRecord(_ db: Database, of consumer: OutboxConsumer) throws -> OutboxConsumerRecord {
        guard let record = try OutboxConsumerRecord.fetchOne(db, key: consumer.recordID) else {
            throw StoreError.notFound(entity: "outbox consumer", key: consumer.name)
        }
        return record
    }

    private static func fetchEvents(
        _ db: Database, of consumer: OutboxConsumer, after cursor: OutboxEventID, limit: Int
    )
        throws -> [OutboxEvent]
    {
        let horizon = try Store.outboxHorizon(db)
        // Conservative for tenant consumers: the horizon is global, so a tenant whose own events
        // were not pruned is still told to rebuild. Rare (only past retention) and never wrong.
        guard cursor.rawValue >= horizon.prunedThrough else {
            throw StoreError.outboxConsumerBehind(
                consumer: consumer.name, checkpoint: cursor.rawValue, prunedThrough: horizon.prunedThrough)
        }
        // A tenant's consumer reads through the (tenant_id, id) index, a platform one by id. The
        // payloads of the aggregate types the consumer does not read are '' (never copied out).
        let payloadTypes = consumer.payloadAggregateTypes
        let columns = payloadTypes == nil ? OutboxEvent.selectedColumns : OutboxEvent.selectedColumnsWithPayloadsOf
        let statement: Statement
        var arguments: StatementArguments = payloadTypes.map { [TenantScope.jsonArray($0)] } ?? []
        if let tenantID = consumer.tenantID {
            statement = try db.cachedStatement(
                sql: """
                    SELECT \(columns) FROM outbox_event
                    WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?
                    """)
            arguments += [tenantID, cursor, limit]
        } else {
            statement = try db.cachedStatement(
                sql: "SELECT \(columns) FROM outbox_event WHERE id > ? ORDER BY id LIMIT ?")
            arguments += [cursor, limit]
        }
        var events: [OutboxEvent] = []
        let handle = statement.sqliteStatement
        let rows = try Row.fetchCursor(statement, arguments: arguments)
        while let row = try rows.next() {
            events.append(try OutboxEvent(currentRowOf: handle) ?? OutboxEvent(selected: row))
        }
        return events
    }
}
