/// A phrase in one segment (Lucene's `PhraseScorer`): a conjunction of the terms' postings, rarest first
/// (the two-phase approximation of LUCENE-6198), confirmed per document from positions.
///
/// Positions are loaded per document into reused arrays and intersected as sorted lists (Tantivy's
/// `PhraseScorer`), which gives the same frequency as Lucene's `ExactPhraseMatcher`: the number of
/// start positions where every term sits at its offset. Sloppy phrases (slop ≥ 1) follow Lucene's
/// `SloppyPhraseMatcher` for phrases without repeated terms: the frequency is the sum of
/// `1 / (1 + matchLength)` over the minimal matches found by its priority-queue walk. Deviation: phrases
/// that repeat a term are walked the same way, without Lucene's repeat groups, so one document position
/// can serve two phrase terms.
final class PhraseScorer: DocScorer {
    private let cursors: [PostingsCursor]
    /// `offsets[i]`: the position of term i in the phrase relative to the first term.
    private let offsets: [Int32]
    /// Cursor indices by increasing document frequency (the conjunction's order).
    private let order: [Int]
    /// The cursors in that order, referenced without retain or release (``cursors`` keeps them alive): the
    /// approximation's leapfrog loaded each from the array and sliced `order` per candidate, a retain and a
    /// release each (15% of a short phrase's serve time).
    private let ordered: [Unmanaged<PostingsCursor>]
    private let slop: Int32
    private let bm25: BM25Weight
    private let norms: FieldNorms?
    private var positions: [[UInt32]]
    /// Per term, an index into its positions list: scratch of the frequency walks, reused per document.
    private var walkIndices: [Int]
    /// Per term, its current phrase position (sloppy walk): scratch reused per document.
    private var walkPositions: [Int64]
    /// The phrase starts still possible (exact walk): scratch reused per document.
    private var starts: [Int64] = []
    /// The phrase frequency of the current document, once ``confirm()`` computed it.
    private(set) var frequency: Float = 0
    /// Whether ``frequency`` belongs to ``doc``: false while the approximation stands on an unchecked candidate.
    private var checked = false
    private(set) var doc: UInt32 = PostingsCursor.exhausted
    var cost: UInt64 { UInt64(cursors[order[0]].documentFrequency) }
    var isTwoPhase: Bool { true }

    /// Starts on the first match, or on the first candidate (a document holding every term) when
    /// `approximating`: the caller then drives it by ``approximateAdvance(to:)`` and ``confirm()``.
    init(
        cursors: [PostingsCursor], offsets: [Int32], slop: Int, bm25: BM25Weight, norms: FieldNorms?,
        approximating: Bool = false
    ) throws(IndexError) {
        self.cursors = cursors
        self.offsets = offsets
        let order = cursors.indices.sorted { cursors[$0].documentFrequency < cursors[$1].documentFrequency }
        self.order = order
        ordered = order.map { .passUnretained(cursors[$0]) }
        self.slop = Int32(clamping: slop)
        self.bm25 = bm25
        self.norms = norms
        positions = Array(repeating: [], count: cursors.count)
        // Only the sloppy walk uses these (exact phrases, nearly all, skip two allocations per segment).
        walkIndices = slop > 0 ? Array(repeating: 0, count: cursors.count) : []
        walkPositions = slop > 0 ? Array(repeating: 0, count: cursors.count) : []
        let first = try candidate(from: cursors[order[0]].doc)
        if approximating {
            doc = first
        } else {
            _ = try settle(first)
        }
    }

    func next() throws(IndexError) -> UInt32 {
        try settle(try candidate(from: try Self.next(ordered[0])))
    }

    func advance(to target: UInt32) throws(IndexError) -> UInt32 {
        if target <= doc {
            // The approximation may stand on a candidate nobody confirmed yet.
            if doc == PostingsCursor.exhausted { return doc }
            return try confirm() ? doc : try next()
        }
        return try settle(try candidate(from: try Self.advance(ordered[0], to: target)))
    }

    func approximateAdvance(to target: UInt32) throws(IndexError) -> UInt32 {
        if target <= doc { return doc }
        doc = try candidate(from: try Self.advance(ordered[0], to: target))
        checked = false
        return doc
    }

    func confirm() throws(IndexError) -> Bool {
        if !checked {
            frequency = doc == PostingsCursor.exhausted ? 0 : try phraseFrequency()
            checked = true
        }
        return frequency > 0
    }

    /// The score of the current document, which must be a confirmed match.
    func score() -> Float {
        bm25.score(frequency: frequency, norm: norms.map { $0[doc] } ?? 1)
    }

    /// From the lead on `start`, the first document at or after it holding every term (the approximation).
    private func candidate(from start: UInt32) throws(IndexError) -> UInt32 {
        var candidate = start
        leapfrog: while candidate != PostingsCursor.exhausted {
            var position = 1
            while position < ordered.count {
                let found = try Self.advance(ordered[position], to: candidate)
                if found != candidate {
                    candidate = try Self.advance(ordered[0], to: found)
                    continue leapfrog
                }
                position &+= 1
            }
            return candidate
        }
        return candidate
    }

    @inline(__always)
    private static func next(_ cursor: Unmanaged<PostingsCursor>) throws(IndexError) -> UInt32 {
        try cursor._withUnsafeGuaranteedRef { cursor in Result { () throws(IndexError) in try cursor.next() } }.get()
    }

    @inline(__always)
    private static func advance(_ cursor: Unmanaged<PostingsCursor>, to target: UInt32) throws(IndexError) -> UInt32 {
        try cursor._withUnsafeGuaranteedRef { cursor in
            Result { () throws(IndexError) in try cursor.advance(to: target) }
        }.get()
    }

    /// From the candidate `start`, moves to the first document at or after it containing the phrase.
    private func settle(_ start: UInt32) throws(IndexError) -> UInt32 {
        var candidate = start
        while candidate != PostingsCursor.exhausted {
            doc = candidate
            checked = false
            if try confirm() { return candidate }
            candidate = try self.candidate(from: try Self.next(ordered[0]))
        }
        doc = PostingsCursor.exhausted
        frequency = 0
        checked = true
        return doc
    }

    private func phraseFrequency() throws(IndexError) -> Float {
        if slop == 0 { return Float(try exactFrequency()) }
        for index in cursors.indices { try cursors[index].positions(into: &positions[index]) }
        return sloppyFrequency()
    }

    /// The number of start positions p (relative to the first term) such that every term i occurs at
    /// p + offsets[i]. The rarest term's positions give the candidate starts and each further term, in
    /// the conjunction's order, keeps those it confirms (a merge of sorted lists); once none is left the
    /// remaining terms' positions are never decoded, which rejects most candidates of frequent terms
    /// after two lists.
    private func exactFrequency() throws(IndexError) -> Int {
        let first = order[0]
        try Self.positions(of: ordered[0], into: &positions[first])
        // Moved out of the scorer for the walk, so the loops below read a plain local.
        var kept = starts
        starts = []
        defer { starts = kept }
        kept.removeAll(keepingCapacity: true)
        let firstOffset = Int64(offsets[first])
        for position in positions[first] { kept.append(Int64(position) - firstOffset) }
        // Terms by step through `ordered` and lists read in place: slicing `order`, reading cursors from
        // `cursors` and copying each list out were a retain and a release each, per candidate document.
        for step in 1..<order.count {
            if kept.isEmpty { return 0 }
            let index = order[step]
            try Self.positions(of: ordered[step], into: &positions[index])
            let offset = Int64(offsets[index])
            positions[index].withUnsafeBufferPointer { list in Self.keep(&kept, confirmedBy: list, at: offset) }
        }
        return kept.count
    }

    /// Keeps the starts in `kept` for which `list` (sorted) holds start + `offset`: a merge of sorted lists.
    @inline(__always)
    private static func keep(_ kept: inout [Int64], confirmedBy list: UnsafeBufferPointer<UInt32>, at offset: Int64) {
        var written = 0
        var at = 0
        for read in kept.indices {
            let wanted = kept[read] + offset
            while at < list.count && Int64(list[at]) < wanted { at += 1 }
            if at == list.count { break }
            if Int64(list[at]) == wanted {
                kept[written] = kept[read]
                written += 1
            }
        }
        kept.removeLast(kept.count - written)
    }

    @inline(__always)
    private static func positions(of cursor: Unmanaged<PostingsCursor>, into list: inout [UInt32]) throws(IndexError) {
        try cursor._withUnsafeGuaranteedRef { cursor in
            Result { () throws(IndexError) in try cursor.positions(into: &list) }
        }.get()
    }

    /// Lucene's `SloppyPhraseMatcher.nextMatch` loop (no repeat groups): each term's "phrase position" is its
    /// position minus its offset; repeatedly pop the smallest, advance it while it does not pass the second
    /// smallest, shrinking the match length `end - smallest`; a match within `slop` adds 1 / (1 + length).
    private func sloppyFrequency() -> Float {
        let count = positions.count
        // The walk's state lives in the scorer's reused arrays (no allocation per document), moved
        // out for the walk so the local function below reads plain locals.
        var at = walkIndices
        var current = walkPositions
        walkIndices = []
        walkPositions = []
        defer {
            walkIndices = at
            walkPositions = current
        }
        for index in 0..<count { at[index] = 0 }
        var end = Int64.min
        for index in 0..<count {
            current[index] = Int64(positions[index][0]) - Int64(offsets[index])
            end = max(end, current[index])
        }
        // The queue order of Lucene's `PhraseQueue`: position, then offset, then ordinal.
        func smallest(excluding excluded: Int) -> Int {
            var best = -1
            for index in 0..<count where index != excluded {
                if best < 0 || current[index] < current[best]
                    || (current[index] == current[best] && offsets[index] < offsets[best])
                {
                    best = index
                }
            }
            return best
        }
        var frequency: Float = 0
        var lead = smallest(excluding: -1)
        var matchLength = end - current[lead]
        var next = current[smallest(excluding: lead)]
        while true {
            // advancePP
            at[lead] += 1
            if at[lead] >= positions[lead].count { break }
            current[lead] = Int64(positions[lead][at[lead]]) - Int64(offsets[lead])
            if current[lead] > end { end = current[lead] }
            if current[lead] > next {
                if matchLength <= Int64(slop) { frequency += 1 / (1 + Float(matchLength)) }
                lead = smallest(excluding: -1)
                next = current[smallest(excluding: lead)]
                matchLength = end - current[lead]
            } else {
                matchLength = min(matchLength, end - current[lead])
            }
        }
        if matchLength <= Int64(slop) { frequency += 1 / (1 + Float(matchLength)) }
        return frequency
    }
}
