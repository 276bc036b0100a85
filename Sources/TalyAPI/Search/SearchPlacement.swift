import NIOCore
import Synchronization

/// Where a search of a `.costed` route runs: on its connection's event loop when its estimated
/// cost is small, else on the cooperative pool, the way engines plan by cost (Lucene's
/// `ScorerSupplier.cost`).
///
/// The hop to the pool and back costs two thread wake-ups (~150–200 µs per search at p50,
/// BENCHMARKS.md), more than a cheap search itself; but a search on the loop holds every other
/// connection of that loop, and the estimate (`IndexSearcher.estimatedCost`) is an upper bound
/// on postings, not a time. So a cheap search runs on the loop under a short budget, enforced by
/// the engine's deadline; one that overruns it is stopped there and run again on the pool with
/// the route's deadline, and the loop is never held much longer than the budget.
///
/// Only while no other search runs: under concurrent searches the pool's one queue serves them
/// in turn, where cheap searches on the loops took the cores from the expensive ones on the pool
/// and doubled the tail (16 connections: p90 60 → 125 ms, BENCHMARKS.md), so then every search
/// goes to the pool as before and the hop is saved where it shows, on a quiet server.
enum SearchPlacement {
    /// The estimated cost (postings and documents visited) up to which a search runs on its
    /// event loop. Measured with `taly search --cost` over the benchmark's 962 queries on the
    /// products index (BENCHMARKS.md, "A search deadline, and cheap searches on the event
    /// loop"): at most 1,000 is 84% of them, the slowest 372 µs and the 99th percentile 292 µs;
    /// unions of a frequent word cost ~0.4 µs per unit, so 2,000 already let in 1.3 ms searches.
    static let loopCostLimit = 1_000
    /// How long a search estimated cheap may hold its event loop before it is stopped and run
    /// again on the pool.
    static let loopBudget: Duration = .milliseconds(2)
    /// The searches of `.costed` routes running now, on loops and on the pool.
    private static let running = Atomic<Int>(0)

    /// Whether a search of estimated `cost`, started while `others` searches run, runs on its loop.
    static func runsOnLoop(cost: Int, others: Int) -> Bool { cost <= loopCostLimit && others == 0 }

    /// Runs `search` (given the deadline it must stop at) where `cost` says, ending by `deadline`.
    /// Outside a connection's event loop (a `.router` test, a route placed on the pool) it runs
    /// where it is.
    static func run<Result>(
        cost: Int, deadline: ContinuousClock.Instant?, _ search: (ContinuousClock.Instant?) throws -> Result
    ) async throws -> Result {
        guard let loop = EventLoopTaskExecutor.connection, loop.eventLoop.inEventLoop else {
            return try search(deadline)
        }
        let others = running.wrappingAdd(1, ordering: .relaxed).oldValue
        defer { running.wrappingSubtract(1, ordering: .relaxed) }
        if runsOnLoop(cost: cost, others: others) {
            let budgetEnd = ContinuousClock.now + loopBudget
            do {
                return try search(deadline.map { min($0, budgetEnd) } ?? budgetEnd)
            } catch let error as APIError where error.kind == .timeout {
                // The loop's budget ran out, not the route's deadline: start again on the pool.
                if let deadline, ContinuousClock.now >= deadline { throw error }
            }
        }
        return try await withTaskExecutorPreference(globalConcurrentExecutor) {
            try search(deadline)
        }
    }
}
