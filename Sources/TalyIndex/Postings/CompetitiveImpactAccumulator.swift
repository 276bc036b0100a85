/// Collects the (frequency, norm) pairs of a block or a list and emits their Pareto frontier, capped to
/// ``ImpactList/capacity`` pairs.
///
/// As Lucene's `CompetitiveImpactAccumulator`, it keeps the maximum frequency per norm byte (256 slots), so adding a
/// posting is one compare; a 256-bit set of touched norms keeps `frontier()` and `reset()` proportional to the norms
/// seen, which matters for the many terms with a handful of postings. Allocates only when created.
struct CompetitiveImpactAccumulator {
    /// Maximum frequency seen for each norm byte (0 = none).
    private var maxFrequency = [UInt32](repeating: 0, count: 256)
    /// Bit `n` set when norm `n` was seen.
    private var touched: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    /// Scratch for the uncapped frontier (at most 256 pairs).
    private var frontierFrequencies = [UInt32](repeating: 0, count: 256)
    private var frontierNorms = [UInt8](repeating: 0, count: 256)

    /// True when nothing was added since the last reset.
    var isEmpty: Bool { touched == (0, 0, 0, 0) }

    /// Records one posting.
    @inline(__always)
    mutating func add(frequency: UInt32, norm: UInt8) {
        let slot = Int(norm)
        if frequency > maxFrequency[slot] {
            if maxFrequency[slot] == 0 { markTouched(slot) }
            maxFrequency[slot] = frequency
        }
    }

    /// Records every pair `other` has seen.
    mutating func merge(_ other: CompetitiveImpactAccumulator) {
        Self.forEachSlot(in: other.touched) { slot in add(frequency: other.maxFrequency[slot], norm: UInt8(slot)) }
    }

    /// Forgets every pair.
    mutating func reset() {
        Self.forEachSlot(in: touched) { maxFrequency[$0] = 0 }
        touched = (0, 0, 0, 0)
    }

    /// The frontier of the recorded pairs (by increasing norm, keep a pair only if its frequency beats every pair of
    /// a smaller norm), capped to ``ImpactList/capacity`` pairs by `cap(count:)`.
    mutating func frontier() -> ImpactList {
        var count = 0
        var best: UInt32 = 0
        var frequencies = frontierFrequencies
        var norms = frontierNorms
        frontierFrequencies = []  // keep the scratch storage uniquely referenced while it is filled
        frontierNorms = []
        Self.forEachSlot(in: touched) { slot in
            let frequency = maxFrequency[slot]
            if frequency > best {
                best = frequency
                frequencies[count] = frequency
                norms[count] = UInt8(slot)
                count &+= 1
            }
        }
        count = Self.cap(frequencies: &frequencies, norms: &norms, count: count)
        var list = ImpactList()
        for index in 0..<count {
            list.append(Impact(frequency: frequencies[index], norm: norms[index]))
        }
        frontierFrequencies = frequencies
        frontierNorms = norms
        return list
    }

    /// Shrinks a frontier of `count` pairs to at most ``ImpactList/capacity`` by repeatedly replacing the neighbours
    /// `(f_i, n_i), (f_i+1, n_i+1)` with the smallest norm gap by `(f_i+1, n_i)`, which dominates both; the result
    /// is still a frontier and still bounds every posting. Returns the new count.
    static func cap(frequencies: inout [UInt32], norms: inout [UInt8], count: Int) -> Int {
        var count = count
        while count > ImpactList.capacity {
            var merge = 0
            var smallestGap = Int.max
            for index in 0..<(count &- 1) {
                let gap = Int(norms[index &+ 1]) &- Int(norms[index])
                if gap < smallestGap {
                    smallestGap = gap
                    merge = index
                }
            }
            frequencies[merge] = frequencies[merge &+ 1]
            for index in (merge &+ 1)..<(count &- 1) {
                frequencies[index] = frequencies[index &+ 1]
                norms[index] = norms[index &+ 1]
            }
            count &-= 1
        }
        return count
    }

    @inline(__always)
    private mutating func markTouched(_ slot: Int) {
        let bit = UInt64(1) &<< UInt64(slot & 63)
        switch slot >> 6 {
        case 0: touched.0 |= bit
        case 1: touched.1 |= bit
        case 2: touched.2 |= bit
        default: touched.3 |= bit
        }
    }

    /// Calls `body` with every slot set in `bits` in increasing order (static, so `body` may mutate the caller).
    @inline(__always)
    private static func forEachSlot(in bits: (UInt64, UInt64, UInt64, UInt64), _ body: (Int) -> Void) {
        forEachSlot(in: bits.0, base: 0, body)
        forEachSlot(in: bits.1, base: 64, body)
        forEachSlot(in: bits.2, base: 128, body)
        forEachSlot(in: bits.3, base: 192, body)
    }

    @inline(__always)
    private static func forEachSlot(in word: UInt64, base: Int, _ body: (Int) -> Void) {
        var rest = word
        while rest != 0 {
            body(base &+ rest.trailingZeroBitCount)
            rest &= rest &- 1
        }
    }
}
