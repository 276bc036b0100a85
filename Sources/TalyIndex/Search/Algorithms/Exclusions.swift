/// The excluded (`mustNot`) clauses of a pruned top-k in one segment, probed once per competitive
/// candidate: term postings (and disjunctions of terms) as cursors referenced without retain or release,
/// other clauses through their scorers. An array of `any DocScorer` cost a retain and a release per
/// clause per probe: in `+python -snake -monty`, TOP_100_COUNT, retain/release were 29% of the search.
struct Exclusions {
    /// Keeps the cursors that ``cursors`` points to alive.
    private let owned: [PostingsCursor]
    private let cursors: [Unmanaged<PostingsCursor>]
    private let others: [any DocScorer]

    /// No exclusion.
    init() {
        owned = []
        cursors = []
        others = []
    }

    /// The clauses of `plans` in segment `index` of `reader` (those matching nothing there dropped).
    init(_ plans: [QueryPlan], segment index: Int, of reader: IndexReader) throws(IndexError) {
        var owned: [PostingsCursor] = []
        var others: [any DocScorer] = []
        for plan in plans {
            switch try CountingClause.make(plan, segment: index, of: reader) {
            case .postings(let cursor): owned.append(cursor)
            case .union(let union): owned += union.cursors
            case .scorer(let scorer): others.append(scorer)
            case nil: break
            }
        }
        self.owned = owned
        cursors = owned.map { .passUnretained($0) }
        self.others = others
    }

    /// Whether `doc` is on an excluded clause; `doc` must not decrease between calls.
    @inline(__always)
    func contains(_ doc: UInt32) throws(IndexError) -> Bool {
        for position in cursors.indices {
            let found = try cursors[position]._withUnsafeGuaranteedRef { cursor in
                Result { () throws(IndexError) in try cursor.advance(to: doc) }
            }.get()
            if found == doc { return true }
        }
        for position in others.indices where try others[position].advance(to: doc) == doc { return true }
        return false
    }
}
