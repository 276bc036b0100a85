import Synchronization

/// Tracks which segments merges are working on, so the writer neither garbage-collects their
/// output nor schedules them twice, and stops the background merge thread on close.
final class MergeScheduler: Sendable {
    private let state = Mutex(SchedulerState())

    private struct SchedulerState {
        var inProgress: Set<SegmentID> = []
        var stopped = false
    }

    /// Segments being read or written by a running merge.
    var segmentsInProgress: Set<SegmentID> { state.withLock { $0.inProgress } }

    /// Whether ``stop()`` was called.
    var isStopped: Bool { state.withLock { $0.stopped } }

    /// Claims `segments` for a merge; false when one of them is already claimed or the
    /// scheduler is stopped.
    func claim(_ segments: Set<SegmentID>) -> Bool {
        state.withLock { state in
            guard !state.stopped, state.inProgress.isDisjoint(with: segments) else { return false }
            state.inProgress.formUnion(segments)
            return true
        }
    }

    /// Releases segments claimed by a finished (or failed) merge.
    func release(_ segments: Set<SegmentID>) {
        state.withLock { state in state.inProgress.subtract(segments) }
    }

    /// Refuses new merges from now on.
    func stop() {
        state.withLock { $0.stopped = true }
    }
}
