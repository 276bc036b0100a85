import Foundation
import TalyStore

/// The worker role: the index-sync loop for every tenant, plus the store's two timers, the
/// publishing sweep (so scheduled items appear at `publish_at`) and outbox pruning. `taly
/// worker` runs it alone; `taly serve` runs it beside the HTTP server unless told not to.
///
/// Failures do not stop the role: each is reported, and the failed part starts again after a
/// pause (the sync loop from its checkpoint, so nothing is lost). Cancelling `run()` stops it
/// between batches; a batch being applied is committed and acknowledged first.
public struct BackgroundWorker: Sendable {
    /// The role's settings.
    public struct Options: Sendable {
        /// The sync worker's settings.
        public var sync: IndexSyncWorker.Options
        /// How often due scheduled items are published.
        public var publishInterval: Duration
        /// How often old outbox events are deleted.
        public var pruneInterval: Duration
        /// How old an outbox event must be to be deleted, in seconds.
        public var outboxRetention: TimeInterval
        /// How long a failed part waits before starting again.
        public var retryDelay: Duration

        /// Publishing every second, pruning every ten minutes events older than the store's default
        /// retention (seven days), retrying after five seconds.
        public init(
            sync: IndexSyncWorker.Options = IndexSyncWorker.Options(), publishInterval: Duration = .seconds(1),
            pruneInterval: Duration = .seconds(600), outboxRetention: TimeInterval = OutboxEvent.defaultRetention,
            retryDelay: Duration = .seconds(5)
        ) {
            self.sync = sync
            self.publishInterval = publishInterval
            self.pruneInterval = pruneInterval
            self.outboxRetention = outboxRetention
            self.retryDelay = retryDelay
        }
    }

    /// What the role reports as it goes (for the log).
    public enum Event: Sendable, CustomStringConvertible {
        /// The sync loop started (or started again), at this checkpoint.
        case syncStarted(checkpoint: OutboxEventID)
        /// The sweep published this many scheduled items.
        case published(count: Int)
        /// Pruning deleted this many outbox events.
        case pruned(count: Int)
        /// A part failed and starts again after the retry delay.
        case failed(part: String, error: String)

        public var description: String {
            switch self {
            case .syncStarted(let checkpoint): "index sync started at outbox event \(checkpoint.rawValue)"
            case .published(let count): "published \(count) scheduled item(s)"
            case .pruned(let count): "pruned \(count) outbox event(s)"
            case .failed(let part, let error): "\(part) failed, retrying: \(error)"
            }
        }
    }

    /// The sync worker the role runs.
    public let worker: IndexSyncWorker
    /// The role's settings.
    public let options: Options
    private let report: @Sendable (Event) -> Void

    /// The role over `store`, with indexes under `root`; `report` receives its events.
    public init(
        store: any RecordStore, root: String, options: Options = Options(),
        report: @escaping @Sendable (Event) -> Void = { _ in }
    ) throws(IndexSyncError) {
        worker = try IndexSyncWorker(store: store, root: root, options: options.sync)
        self.options = options
        self.report = report
    }

    /// Runs the sync loop and both timers until the task is cancelled.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await syncLoop() }
            group.addTask {
                await repeating(every: options.publishInterval, part: "scheduled publishing") { () throws(StoreError) in
                    let count = try worker.store.publishDueContentItems()
                    if count > 0 { report(.published(count: count)) }
                }
            }
            group.addTask {
                await repeating(every: options.pruneInterval, part: "outbox pruning") { () throws(StoreError) in
                    let count = try worker.store.pruneOutbox(retention: options.outboxRetention)
                    if count > 0 { report(.pruned(count: count)) }
                }
            }
            await group.waitForAll()
        }
    }

    private func syncLoop() async {
        while !Task.isCancelled {
            do throws(IndexSyncError) {
                report(.syncStarted(checkpoint: try await worker.checkpoint()))
                try await worker.run()
            } catch {
                report(.failed(part: "index sync", error: error.description))
                try? await Task.sleep(for: options.retryDelay)
            }
        }
    }

    private func repeating(every interval: Duration, part: String, _ body: () throws(StoreError) -> Void) async {
        while !Task.isCancelled {
            do throws(StoreError) { try body() } catch { report(.failed(part: part, error: error.description)) }
            try? await Task.sleep(for: interval)
        }
    }
}
