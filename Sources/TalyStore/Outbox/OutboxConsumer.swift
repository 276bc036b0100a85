import Foundation
import GRDB

/// A named, durable reader of the outbox: its checkpoint (the last event it acknowledged) lives
/// in the database, so a restarted process continues where the last one acknowledged.
///
/// Delivery is at-least-once: reading never moves the checkpoint, only `acknowledge(through:)`
/// does, so events read but not acknowledged before a crash are read again. Events come in id
/// order, which is commit order; a tenant consumer sees only its tenant's events.
public struct OutboxConsumer: Sendable {
    /// Where a consumer created by this call starts; an existing consumer keeps its checkpoint.
    public enum Start: Sendable, Equatable {
        /// From the oldest event ever written (an error if any were pruned: rebuild instead).
        case beginning
        /// After the newest event written so far.
        case latest
    }

    /// The consumer's name, unique among the platform's consumers or within its tenant.
    public let name: String
    /// The tenant whose events it reads; nil for a platform consumer reading every tenant.
    public let tenantID: TenantID?
    let store: Store
    let recordID: Int64

    /// The last event the consumer acknowledged (id 0 before any).
    public func checkpoint() throws(StoreError) -> OutboxEventID {
        try store.read { db in OutboxEventID(try fetchRecord(db).lastEventID) }
    }

    /// The next events after the checkpoint, oldest first, at most `limit`.
    ///
    /// Throws `.outboxConsumerBehind` when events after the checkpoint were pruned.
    public func pendingEvents(limit: Int = 100) throws(StoreError) -> [OutboxEvent] {
        try store.read { db in
            try fetchEvents(db, after: OutboxEventID(try fetchRecord(db).lastEventID), limit: limit)
        }
    }

    /// The events after `cursor`, oldest first, at most `limit`; the checkpoint is not consulted.
    public func events(after cursor: OutboxEventID, limit: Int = 100) throws(StoreError) -> [OutboxEvent] {
        try store.read { db in try fetchEvents(db, after: cursor, limit: limit) }
    }

    /// Records that every event up to and including `eventID` has been handled.
    ///
    /// The checkpoint never moves backwards here (a late acknowledgment of an older batch is
    /// harmless); use `resetCheckpoint` to replay. Acknowledging an id not yet written is refused.
    public func acknowledge(through eventID: OutboxEventID) throws(StoreError) {
        let time = store.clock.now()
        try store.write { db in
            var record = try fetchRecord(db)
            guard eventID.rawValue > record.lastEventID else { return }
            guard eventID.rawValue <= (try Store.outboxPosition(db)) else {
                throw StoreError.invalid(field: "eventID", reason: "event \(eventID) has not been written yet")
            }
            record.lastEventID = eventID.rawValue
            record.updatedAt = max(time, record.createdAt)
            try record.update(db)
        }
    }

    /// Moves the checkpoint to `eventID`, backwards to replay or forwards to skip: the next event
    /// read is the first after it. Refused with `.outboxConsumerBehind` if events after it were pruned.
    public func resetCheckpoint(to eventID: OutboxEventID) throws(StoreError) {
        try reset { db throws in
            guard eventID.rawValue >= 0, eventID.rawValue <= (try Store.outboxPosition(db)) else {
                throw StoreError.invalid(field: "eventID", reason: "event \(eventID) has not been written yet")
            }
            return eventID.rawValue
        }
    }

    /// Moves the checkpoint so that the next event read is the first created at or after `time`.
    /// Refused with `.outboxConsumerBehind` if events from that time may have been pruned.
    public func resetCheckpoint(toEventsSince time: Date) throws(StoreError) {
        try reset { db throws in
            let horizon = try Store.outboxHorizon(db)
            if let prunedBefore = horizon.prunedBefore, time < prunedBefore {
                throw StoreError.outboxConsumerBehind(
                    consumer: name, checkpoint: 0, prunedThrough: horizon.prunedThrough)
            }
            let before = try Int64.fetchOne(
                db, sql: "SELECT max(id) FROM outbox_event WHERE created_at < ?", arguments: [time])
            return max(before ?? 0, horizon.prunedThrough)
        }
    }

    /// An async sequence of event batches after the checkpoint, woken at once by commits in this
    /// process and every `pollInterval` otherwise (for writers in other processes).
    ///
    /// The sequence keeps its own cursor: it does not acknowledge. Acknowledge each batch once
    /// handled; a new subscription after a crash starts again from the checkpoint.
    public func subscribe(batchSize: Int = 100, pollInterval: Duration = .seconds(1)) -> OutboxSubscription {
        OutboxSubscription(consumer: self, batchSize: max(1, batchSize), pollInterval: pollInterval)
    }

    // MARK: - Inside transactions

    private func reset(_ checkpoint: (Database) throws -> Int64) throws(StoreError) {
        let time = store.clock.now()
        try store.write { db in
            var record = try fetchRecord(db)
            let target = try checkpoint(db)
            let horizon = try Store.outboxHorizon(db)
            guard target >= horizon.prunedThrough else {
                throw StoreError.outboxConsumerBehind(
                    consumer: name, checkpoint: target, prunedThrough: horizon.prunedThrough)
            }
            record.lastEventID = target
            record.updatedAt = max(time, record.createdAt)
            try record.update(db)
        }
    }

    func fetchRecord(_ db: Database) throws -> OutboxConsumerRecord {
        guard let record = try OutboxConsumerRecord.fetchOne(db, key: recordID) else {
            throw StoreError.notFound(entity: "outbox consumer", key: name)
        }
        return record
    }

    func fetchEvents(_ db: Database, after cursor: OutboxEventID, limit: Int) throws -> [OutboxEvent] {
        let horizon = try Store.outboxHorizon(db)
        // Conservative for tenant consumers: the horizon is global, so a tenant whose own events
        // were not pruned is still told to rebuild. Rare (only past retention) and never wrong.
        guard cursor.rawValue >= horizon.prunedThrough else {
            throw StoreError.outboxConsumerBehind(
                consumer: name, checkpoint: cursor.rawValue, prunedThrough: horizon.prunedThrough)
        }
        var request = OutboxEvent.filter(OutboxEvent.Columns.id > cursor)
        if let tenantID { request = request.filter(OutboxEvent.Columns.tenantID == tenantID) }
        return try request.order(OutboxEvent.Columns.id).limit(max(1, limit)).fetchAll(db)
    }
}

/// Event batches for one consumer, as an async sequence; ends when the iterating task is cancelled.
public struct OutboxSubscription: AsyncSequence, Sendable {
    /// A batch of events in id order, never empty.
    public typealias Element = [OutboxEvent]
    /// Store errors, including `.outboxConsumerBehind`.
    public typealias Failure = StoreError

    let consumer: OutboxConsumer
    let batchSize: Int
    let pollInterval: Duration

    /// Starts at the consumer's checkpoint as of the first `next()`.
    public func makeAsyncIterator() -> Iterator { Iterator(subscription: self, cursor: nil) }

    /// Reads batches, waiting for commits when the outbox is drained.
    public struct Iterator: AsyncIteratorProtocol {
        let subscription: OutboxSubscription
        var cursor: OutboxEventID?

        /// The next batch; nil once the task is cancelled.
        public mutating func next() async throws(StoreError) -> [OutboxEvent]? {
            let consumer = subscription.consumer
            let notifier = consumer.store.outboxNotifier
            var position: OutboxEventID
            if let cursor { position = cursor } else { position = try consumer.checkpoint() }
            while !Task.isCancelled {
                // Read the generation before the events: a commit landing between the two makes
                // the wait below return at once instead of missing it.
                let seen = notifier.generation
                let batch = try consumer.events(after: position, limit: subscription.batchSize)
                if let last = batch.last?.id {
                    cursor = last
                    return batch
                }
                cursor = position
                await notifier.wait(after: seen, timeout: subscription.pollInterval)
                position = cursor ?? position
            }
            return nil
        }
    }
}
