/// Finds the terms of a sorted dictionary within a Levenshtein distance of a target, visiting only
/// the prefixes that can still lead to a match.
///
/// The walk keeps one dynamic-programming row per Unicode scalar of the current term's prefix
/// (row d holds the distances between the term's first d scalars and every prefix of the
/// target). Consecutive terms of a sorted dictionary share prefixes, so a term costs only the
/// rows of the scalars after the prefix it shares with the previous one. When a row's minimum
/// exceeds the allowed edits, no term with that prefix can match, and the cursor seeks past all
/// of them at once. This is the walk a Levenshtein automaton intersected with the dictionary
/// does (Lucene's `FuzzyTermsEnum`, Tantivy's `FuzzyTermQuery` over its FST), with the automaton
/// replaced by the rows it would encode: the same pruning, no automaton to build per query.
///
/// Distances count scalar insertions, deletions and substitutions (a transposition is two
/// edits), as Levenshtein. With `typoRules`, the distance is Meilisearch's typo count instead:
/// swapping two adjacent scalars is one edit (optimal string alignment), and any edit that
/// changes the first scalar costs two — people rarely mistype a word's first letter, and the
/// rule keeps a one-typo walk inside the dictionary's range of that letter. Bytes that are not
/// valid UTF-8 count as one scalar each, so a damaged keyword still has a distance.
///
/// Pruning stays exact with either distance: a row's minimum never decreases with depth (a
/// transposition's cell is at least the substitution cell it passes through).
final class FuzzyTermWalk {
    private let target: UnsafeMutableBufferPointer<UInt32>
    private let maximumEdits: Int32
    private let typoRules: Bool
    /// The extra cost of an edit that changes the first scalar (1 with `typoRules`, else 0).
    private let firstScalarSurcharge: Int32
    private let width: Int
    /// `scalars[d]`: the prefix's scalar d (1-based), for transpositions.
    private let scalars: UnsafeMutableBufferPointer<UInt32>
    /// Row d starts at `d * width`: distances for the prefix of d scalars.
    private let rows: UnsafeMutableBufferPointer<Int32>
    private let rowMinimums: UnsafeMutableBufferPointer<Int32>
    /// `boundaries[d]`: the byte offset where the prefix's scalar d starts (its byte length at d).
    private let boundaries: UnsafeMutableBufferPointer<Int>
    /// The bytes of the prefix whose rows are valid, up to `boundaries[validDepth]`.
    private let prefix: UnsafeMutableBufferPointer<UInt8>
    private var validDepth = 0
    /// The deepest row ever needed: at depth d every distance is at least d − m, so past
    /// m + edits + 1 scalars every row is dead.
    private let maximumDepth: Int

    /// A walk for terms within `maximumEdits` of the scalars `target`, by Levenshtein distance
    /// or, with `typoRules`, by Meilisearch's typo count.
    init(target: [UInt32], maximumEdits: Int, typoRules: Bool = false) {
        self.target = .allocate(capacity: max(target.count, 1))
        _ = self.target.initialize(from: target)
        self.maximumEdits = Int32(maximumEdits)
        self.typoRules = typoRules
        firstScalarSurcharge = typoRules ? 1 : 0
        width = target.count + 1
        maximumDepth = target.count + maximumEdits + 1
        rows = .allocate(capacity: (maximumDepth + 1) * width)
        rowMinimums = .allocate(capacity: maximumDepth + 1)
        boundaries = .allocate(capacity: maximumDepth + 1)
        scalars = .allocate(capacity: maximumDepth + 1)
        prefix = .allocate(capacity: 4 * maximumDepth)
        let cap = self.maximumEdits + 1
        rows[0] = 0
        for column in 1..<width { rows[column] = min(Int32(column) + firstScalarSurcharge, cap) }
        rowMinimums[0] = 0
        boundaries[0] = 0
        scalars[0] = 0
    }

    deinit {
        target.deallocate()
        scalars.deallocate()
        rows.deallocate()
        rowMinimums.deallocate()
        boundaries.deallocate()
        prefix.deallocate()
    }

    /// Moves `cursor` to its next term within the distance and returns true, or returns false
    /// when none is left. A fresh cursor (never moved) starts the walk over.
    func advance(_ cursor: inout TermCursor) throws(IndexError) -> Bool {
        if cursor.ordinal < 0 { validDepth = 0 }
        guard try cursor.next() else { return false }
        while true {
            // Past the deadline the walk ends; the searcher throws rather than search a partial expansion.
            if SearchBudget.spentInLoop { return false }
            let term = cursor.term
            let depth = evaluate(term)
            if depth < 0 { return true }
            if depth == 0 {
                // The term itself is too far and nothing prunes: try the next one.
                guard try cursor.next() else { return false }
                continue
            }
            // The prefix of `depth` scalars is dead: skip every term that starts with it.
            let deadLength = boundaries[depth]
            guard try cursor.next() else { return false }
            if startsWithPrefix(cursor.term, length: deadLength) {
                guard try seekPast(&cursor, length: deadLength) else { return false }
            }
        }
    }

    /// -1 when `term` is within the distance; otherwise the depth of its shortest dead prefix, or
    /// 0 when no prefix is dead (the whole term is simply too far).
    private func evaluate(_ term: UnsafeRawBufferPointer) -> Int {
        // Reuse the rows of the prefix this term shares with the last one, cut at a scalar boundary.
        let validBytes = boundaries[validDepth]
        let limit = min(validBytes, term.count)
        var common = 0
        while common < limit && term[common] == prefix[common] { common &+= 1 }
        var depth = 0
        while depth < validDepth && boundaries[depth &+ 1] <= common { depth &+= 1 }
        if rowMinimums[depth] > maximumEdits { return depth }
        var position = boundaries[depth]
        while position < term.count {
            let (scalar, length) = Self.decodeScalar(term, at: position)
            let next = depth &+ 1
            fillRow(next, scalar: scalar)
            for offset in 0..<length { prefix[position &+ offset] = term[position &+ offset] }
            position &+= length
            boundaries[next] = position
            depth = next
            validDepth = depth
            if rowMinimums[depth] > maximumEdits { return depth }
        }
        validDepth = depth
        return rows[depth &* width &+ width &- 1] <= maximumEdits ? -1 : 0
    }

    /// Row `depth` from the rows above and the scalar that extends the prefix.
    private func fillRow(_ depth: Int, scalar: UInt32) {
        scalars[depth] = scalar
        let previous = (depth &- 1) &* width
        let current = depth &* width
        let cap = maximumEdits &+ 1
        var rowMinimum = min(Int32(depth) &+ firstScalarSurcharge, cap)
        rows[current] = rowMinimum
        let transposes = typoRules && depth >= 2
        let previousScalar = scalars[depth &- 1]
        for column in 1..<width {
            let wanted = target[column &- 1]
            var cost: Int32 = wanted == scalar ? 0 : 1
            if depth == 1 && column == 1 && cost != 0 { cost &+= firstScalarSurcharge }
            var value = min(rows[previous &+ column &- 1] &+ cost, rows[previous &+ column] &+ 1)
            value = min(value, rows[current &+ column &- 1] &+ 1)
            if transposes && column >= 2 && scalar == target[column &- 2] && previousScalar == wanted
                && scalar != wanted
            {
                let swap: Int32 = depth == 2 && column == 2 ? 1 &+ firstScalarSurcharge : 1
                value = min(value, rows[(depth &- 2) &* width &+ column &- 2] &+ swap)
            }
            // Distances past the cap all mean "too far"; capping keeps them small and equal.
            value = min(value, cap)
            rows[current &+ column] = value
            rowMinimum = min(rowMinimum, value)
        }
        rowMinimums[depth] = rowMinimum
    }

    private func startsWithPrefix(_ term: UnsafeRawBufferPointer, length: Int) -> Bool {
        guard term.count >= length else { return false }
        for index in 0..<length where term[index] != prefix[index] { return false }
        return true
    }

    /// Seeks to the first term after every term that starts with the prefix's first `length`
    /// bytes: the prefix with its last byte incremented (dropping trailing 0xFF bytes, which
    /// valid UTF-8 never has). False when no term is left.
    private func seekPast(_ cursor: inout TermCursor, length: Int) throws(IndexError) -> Bool {
        var end = length
        while end > 0 && prefix[end &- 1] == 0xFF { end &-= 1 }
        guard end > 0 else { return false }
        let saved = prefix[end &- 1]
        prefix[end &- 1] = saved &+ 1
        let result = try cursor.seekCeil(UnsafeRawBufferPointer(start: prefix.baseAddress, count: end))
        prefix[end &- 1] = saved
        return result != .end
    }

    /// The scalar at `position` and its byte length; an invalid byte is one scalar of its own
    /// value above the Unicode range, so it never equals a real scalar.
    @inline(__always)
    static func decodeScalar(_ bytes: UnsafeRawBufferPointer, at position: Int) -> (UInt32, Int) {
        let lead = UInt32(bytes[position])
        if lead < 0x80 { return (lead, 1) }
        let length: Int
        var value: UInt32
        switch lead {
        case 0xC2...0xDF: (length, value) = (2, lead & 0x1F)
        case 0xE0...0xEF: (length, value) = (3, lead & 0x0F)
        case 0xF0...0xF4: (length, value) = (4, lead & 0x07)
        default: return (0x11_0000 | lead, 1)
        }
        guard position &+ length <= bytes.count else { return (0x11_0000 | lead, 1) }
        for offset in 1..<length {
            let byte = UInt32(bytes[position &+ offset])
            guard byte & 0xC0 == 0x80 else { return (0x11_0000 | lead, 1) }
            value = value << 6 | (byte & 0x3F)
        }
        return (value, length)
    }
}
