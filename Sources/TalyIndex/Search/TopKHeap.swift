/// The k best (score, segment, document) entries seen so far: a binary min-heap whose root is the worst
/// kept entry, so the threshold (the k-th score) is always exact, as the top-k pruning needs (Tantivy
/// #2881, Lucene `LongHeap`). Entries must be offered in increasing (segment, document) order: an entry
/// scoring exactly the threshold then never displaces one already kept (ties go to the older address).
struct TopKHeap {
    let capacity: Int
    private var scores: [Float] = []
    private var addresses: [UInt64] = []

    init(capacity: Int) {
        precondition(capacity >= 0, "the limit must not be negative")
        self.capacity = capacity
        scores.reserveCapacity(min(capacity, 1 << 16))
        addresses.reserveCapacity(min(capacity, 1 << 16))
    }

    /// True once `capacity` entries are kept: from then on only scores above ``threshold`` enter.
    var isFull: Bool { scores.count >= capacity }

    /// The score an entry must beat to enter (−∞ until the heap is full).
    var threshold: Float { isFull ? (capacity == 0 ? .infinity : scores[0]) : -.infinity }

    /// Keeps the entry if it is among the k best so far.
    @inline(__always)
    mutating func offer(score: Float, segment: Int, document: UInt32) {
        let address = UInt64(segment) << 32 | UInt64(document)
        if scores.count < capacity {
            scores.append(score)
            addresses.append(address)
            siftUp(scores.count - 1)
        } else if capacity > 0 && score > scores[0] {
            scores[0] = score
            addresses[0] = address
            siftDown(0)
        }
    }

    /// True when entry `a` is worse than entry `b`: a lower score, or an equal score and a later address.
    @inline(__always)
    private func worse(_ a: Int, _ b: Int) -> Bool {
        scores[a] < scores[b] || (scores[a] == scores[b] && addresses[a] > addresses[b])
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard worse(child, parent) else { return }
            scores.swapAt(child, parent)
            addresses.swapAt(child, parent)
            child = parent
        }
    }

    /// Moves the entry at `start` down to its place, shifting the worse child up into the hole at each
    /// level and writing the entry once: the same layout as swapping (the order is total, addresses being
    /// unique), without two array swaps per level — with k = 100 over a frequent term most documents
    /// enter the heap, and the swaps were 7% of a negated TOP_100_COUNT.
    private mutating func siftDown(_ start: Int) {
        let count = scores.count
        let movingScore = scores[start]
        let movingAddress = addresses[start]
        scores.withUnsafeMutableBufferPointer { scores in
            addresses.withUnsafeMutableBufferPointer { addresses in
                var parent = start
                while true {
                    let left = 2 &* parent &+ 1
                    if left >= count { break }
                    var child = left
                    let right = left &+ 1
                    if right < count
                        && (scores[right] < scores[left]
                            || (scores[right] == scores[left] && addresses[right] > addresses[left]))
                    {
                        child = right
                    }
                    let childIsWorse =
                        scores[child] < movingScore
                        || (scores[child] == movingScore && addresses[child] > movingAddress)
                    if !childIsWorse { break }
                    scores[parent] = scores[child]
                    addresses[parent] = addresses[child]
                    parent = child
                }
                scores[parent] = movingScore
                addresses[parent] = movingAddress
            }
        }
    }

    /// The kept entries, best first (score descending, then segment and document ascending).
    func sortedHits() -> [SearchHit] {
        var hits = zip(scores, addresses).map { score, address in
            SearchHit(segment: Int(address >> 32), document: UInt32(truncatingIfNeeded: address), score: score)
        }
        hits.sort { a, b in
            a.score != b.score ? a.score > b.score : (a.segment, a.document) < (b.segment, b.document)
        }
        return hits
    }
}
