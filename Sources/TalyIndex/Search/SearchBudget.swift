import CTalySearchBudget

/// The deadline of one search, on the thread running it (``SearchRequest/deadline``).
///
/// Checked cooperatively and amortized: a posting list entering its next block and a fuzzy walk
/// stepping to its next term check it (a decrement, the clock read one check in 64), and once it
/// is spent they report their end, so whichever algorithm runs drains in a few steps without a
/// check in its own loop; the searcher checks the clock between segments, after compiling the
/// query and before each facet, and turns a spent budget into
/// ``SearchError/deadlineExceeded(elapsed:)``. The results of a stopped search are never returned.
struct SearchBudget {
    /// When the search started.
    let started: ContinuousClock.Instant
    /// The thread's budget before this one (nil: this search has no deadline and set none).
    private let previous: taly_search_budget?

    /// Starts the budget of a search ending at `deadline` on this thread (nil: none, an enclosing
    /// search's still applies). Pair with ``end()`` on the same thread, without suspending between.
    init(deadline: ContinuousClock.Instant?) {
        started = .now
        guard let deadline else {
            previous = nil
            return
        }
        let (seconds, attoseconds) = (deadline - started).components
        let (nanoseconds, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let remaining = overflow ? (seconds < 0 ? Int64.min : Int64.max) : nanoseconds &+ attoseconds / 1_000_000_000
        previous = taly_search_budget_begin(remaining)
    }

    /// Restores the thread's previous budget.
    func end() {
        if let previous { taly_search_budget_end(previous) }
    }

    /// Whether the thread's search is past its deadline, reading the clock now (for the checks
    /// between segments and facets, which are rare enough to afford it).
    var isSpent: Bool { Self.isSpentNow }

    /// ``isSpent`` where no budget value is at hand.
    static var isSpentNow: Bool {
        if taly_current_search_budget_deadline() == 0 { return false }
        return taly_search_budget_read_clock()
    }

    /// Throws ``SearchError/deadlineExceeded(elapsed:)`` when the search is past its deadline.
    func check() throws(SearchError) {
        if isSpent { throw .deadlineExceeded(elapsed: .now - started) }
    }

    /// Whether the search on this thread is past its deadline: amortized, for the innermost loops.
    @inline(__always)
    static var spentInLoop: Bool { taly_search_budget_spent() }
}

/// The deadline check of a loop over matches whose documents may each cost much more than a
/// posting (a union of a thousand expanded terms advances every clause per document): the clock
/// is read once per ``interval`` documents, where a posting list's check would let a whole block of
/// every clause be drained past the deadline.
struct BudgetCountdown {
    /// Documents between clock reads: a decrement per document and a clock read (~20 ns) per 256,
    /// under a tenth of a nanosecond per document; a document of a thousand-term union costs
    /// microseconds, so a stop comes within a millisecond or so of the deadline.
    static let interval = 256
    private var left = interval

    /// Counts one document; true once the search on this thread is past its deadline.
    @inline(__always)
    mutating func spent() -> Bool {
        left &-= 1
        if left > 0 { return false }
        left = Self.interval
        return SearchBudget.isSpentNow
    }
}
