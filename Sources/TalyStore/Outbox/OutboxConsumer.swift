import Foundation

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
    /// The store implementation that opened the consumer, where its checkpoint and events live.
    let storage: any OutboxConsumerStorage
    /// The consumer's row in that storage.
    let recordID: Int64
    /// The aggregate types whose events this consumer reads with their payload; nil: every type
    /// (see `readingPayloads(only:)`).
    public private(set) var payloadAggregateTypes: [String]?

    init(name: String, tenantID: TenantID?, storage: any OutboxConsumerStorage, recordID: Int64) {
        self.name = name
        self.tenantID = tenantID
        self.storage = storage
        self.recordID = recordID
    }

    /// This consumer reading the payloads of `aggregateTypes`' events only, every other event's
    /// `payload` empty: for a consumer that rereads the other records from the store, such as the
    /// index-sync worker and products, and would otherwise copy and check the UTF-8 of a payload it
    /// never looks at for every event of a bulk load. The checkpoint is the same consumer's.
    public func readingPayloads(only aggregateTypes: [String]) -> OutboxConsumer {
        var consumer = self
        consumer.payloadAggregateTypes = aggregateTypes
        return consumer
    }

    /// The last event the consumer acknowledged (id 0 before any).
    public func checkpoint() throws(StoreError) -> OutboxEventID {
        try storage.checkpoint(of: self)
    }

    /// The next events after the checkpoint, oldest first, at most `limit`.
    ///
    /// Throws `.outboxConsumerBehind` when events after the checkpoint were pruned.
    public func pendingEvents(limit: Int = 100) throws(StoreError) -> [OutboxEvent] {
        try storage.pendingEvents(of: self, limit: max(1, limit))
    }

    /// The events after `cursor`, oldest first, at most `limit`; the checkpoint is not consulted.
    public func events(after cursor: OutboxEventID, limit: Int = 100) throws(StoreError) -> [OutboxEvent] {
        try storage.events(of: self, after: cursor, limit: max(1, limit))
    }

    /// Records that every event up to and including `eventID` has been handled.
    ///
    /// The checkpoint never moves backwards here (a late acknowledgment of an older batch is
    /// harmless); use `resetCheckpoint` to replay. Acknowledging an id not yet written is refused.
    public func acknowledge(through eventID: OutboxEventID) throws(StoreError) {
        try storage.acknowledge(self, through: eventID)
    }

    /// Moves the checkpoint to `eventID`, backwards to replay or forwards to skip: the next event
    /// read is the first after it. Refused with `.outboxConsumerBehind` if events after it were pruned.
    public func resetCheckpoint(to eventID: OutboxEventID) throws(StoreError) {
        try storage.resetCheckpoint(of: self, to: eventID)
    }

    /// Moves the checkpoint so that the next event read is the first created at or after `time`.
    /// Refused with `.outboxConsumerBehind` if events from that time may have been pruned.
    public func resetCheckpoint(toEventsSince time: Date) throws(StoreError) {
        try storage.resetCheckpoint(of: self, toEventsSince: time)
    }

    /// An async sequence of event batches after the checkpoint, woken at once by commits in this
    /// process, within `OutboxSubscription.Iterator.otherProcessCheckInterval` by other processes'
    /// commits, and after `pollInterval` at the latest.
    ///
    /// The sequence keeps its own cursor: it does not acknowledge. Acknowledge each batch once
    /// handled; a new subscription after a crash starts again from the checkpoint.
    public func subscribe(batchSize: Int = 100, pollInterval: Duration = .seconds(1)) -> OutboxSubscription {
        OutboxSubscription(consumer: self, batchSize: max(1, batchSize), pollInterval: pollInterval)
    }
}

/// What a consumer needs from the store implementation that opened it: the checkpoint row, the
/// events after a position (only its tenant's for a tenant consumer), and the commit notifier.
///
/// Internal on purpose: consumers are made only by `PlatformOutbox` / `TenantOutbox`, so code
/// above the store cannot forge one with another tenant's filter. Every implementation keeps the
/// outbox guarantees of `PlatformOutbox` (commit order, durable checkpoint, `.outboxConsumerBehind`
/// once pruning passed the position).
protocol OutboxConsumerStorage: Sendable {
    /// Wakes subscriptions after commits that wrote events (in this process).
    var outboxNotifier: OutboxNotifier { get }
    /// A number that changes whenever any connection of any process commits (SQLite's
    /// `data_version` on a connection of its own); nil when it cannot be read.
    func dataVersion() -> Int64?
    /// The consumer's checkpoint.
    func checkpoint(of consumer: OutboxConsumer) throws(StoreError) -> OutboxEventID
    /// The events after the consumer's checkpoint, read with it in one snapshot.
    func pendingEvents(of consumer: OutboxConsumer, limit: Int) throws(StoreError) -> [OutboxEvent]
    /// The consumer's events after `cursor`.
    func events(of consumer: OutboxConsumer, after cursor: OutboxEventID, limit: Int) throws(StoreError)
        -> [OutboxEvent]
    /// Moves the checkpoint forward to `eventID` (never backwards).
    func acknowledge(_ consumer: OutboxConsumer, through eventID: OutboxEventID) throws(StoreError)
    /// Sets the checkpoint to `eventID`.
    func resetCheckpoint(of consumer: OutboxConsumer, to eventID: OutboxEventID) throws(StoreError)
    /// Sets the checkpoint just before the first event created at or after `time`.
    func resetCheckpoint(of consumer: OutboxConsumer, toEventsSince time: Date) throws(StoreError)
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
            let notifier = consumer.storage.outboxNotifier
            var position: OutboxEventID
            if let cursor { position = cursor } else { position = try consumer.checkpoint() }
            while !Task.isCancelled {
                // Read the generation and the data version before the events: a commit landing
                // between the two makes the wait below return at once instead of missing it.
                let seen = notifier.generation
                let version = consumer.storage.dataVersion()
                let batch = try consumer.events(after: position, limit: subscription.batchSize)
                if let last = batch.last?.id {
                    cursor = last
                    return batch
                }
                cursor = position
                await Self.waitForCommit(
                    notifier: notifier, after: seen, storage: consumer.storage, version: version,
                    pollInterval: subscription.pollInterval)
                position = cursor ?? position
            }
            return nil
        }

        /// How often a waiting subscription checks for other processes' commits: the index-sync
        /// worker of `taly worker`, or of `taly serve` beside a `taly ingest`, then finds their
        /// events within this, not only at its poll interval (a second by default, which alone
        /// put other processes' writes up to a second behind).
        static let otherProcessCheckInterval: Duration = .milliseconds(20)

        /// Returns after this process's next commit with events (`notifier` past `seen`), after
        /// any commit since the data version `version` was read (another process's: one pragma
        /// on the store's own connection per check), after `pollInterval`, or on cancellation.
        private static func waitForCommit(
            notifier: OutboxNotifier, after seen: UInt64, storage: any OutboxConsumerStorage, version: Int64?,
            pollInterval: Duration
        ) async {
            let deadline = ContinuousClock.now + pollInterval
            while !Task.isCancelled {
                let left = deadline - .now
                guard left > .zero else { return }
                await notifier.wait(after: seen, timeout: Swift.min(left, otherProcessCheckInterval))
                if notifier.generation != seen { return }
                if let version, let now = storage.dataVersion(), now != version { return }
            }
        }
    }
}
