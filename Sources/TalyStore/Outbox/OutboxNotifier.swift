import GRDB
import Synchronization

/// Wakes in-process outbox readers right after a transaction that wrote events commits.
///
/// A generation counter closes the race between "I found nothing" and "I start waiting": a
/// reader remembers the generation before it reads, and a wait on a stale generation returns at
/// once. Other processes' writes are not seen here: subscriptions check the data version for them.
final class OutboxNotifier: Sendable {
    private struct Waiter {
        let continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var generation: UInt64 = 0
        var nextWaiterID: UInt64 = 0
        var waiters: [UInt64: Waiter] = [:]
        /// Waiters woken (by timeout or cancellation) before they had registered.
        var woken: Set<UInt64> = []
    }

    private let state = Mutex(State())
    /// Whether the writer's open transaction already signals on commit. The pool has one writer
    /// connection, so one flag serves it. One hook per transaction rather than per event: GRDB
    /// consults every registered observer on each statement, so a hook per event made a batch of
    /// n items cost O(n²).
    private let signalsAfterCommit = Atomic<Bool>(false)

    /// Signals once `db`'s open write transaction commits; a rollback signals nothing.
    func signalAfterCommit(of db: Database) {
        guard !signalsAfterCommit.exchange(true, ordering: .acquiringAndReleasing) else { return }
        db.afterNextTransaction(
            onCommit: { _ in
                self.signalsAfterCommit.store(false, ordering: .releasing)
                self.signal()
            },
            onRollback: { _ in self.signalsAfterCommit.store(false, ordering: .releasing) })
    }

    /// Counts commits that wrote events.
    var generation: UInt64 { state.withLock { $0.generation } }

    /// Called after a commit that wrote events: wakes every waiter.
    func signal() {
        let waiters = state.withLock { state in
            state.generation &+= 1
            let waiters = state.waiters
            state.waiters = [:]
            return waiters
        }
        for waiter in waiters.values { waiter.continuation.resume() }
    }

    /// Returns when the generation moves past `seen`, after `timeout`, or on cancellation.
    func wait(after seen: UInt64, timeout: Duration) async {
        let id = state.withLock { state in
            state.nextWaiterID &+= 1
            return state.nextWaiterID
        }
        let timer = Task { [self] in
            try? await Task.sleep(for: timeout)
            if !Task.isCancelled { wake(id) }
        }
        defer { timer.cancel() }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    if state.generation != seen || state.woken.remove(id) != nil || Task.isCancelled { return true }
                    state.waiters[id] = Waiter(continuation: continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            wake(id)
        }
        _ = state.withLock { $0.woken.remove(id) }
    }

    private func wake(_ id: UInt64) {
        let waiter = state.withLock { state in
            let waiter = state.waiters.removeValue(forKey: id)
            if waiter == nil { state.woken.insert(id) }
            return waiter
        }
        waiter?.continuation.resume()
    }
}
