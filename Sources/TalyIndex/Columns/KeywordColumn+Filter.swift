/// Filter evaluation on the packed ordinals: one pass over the segment's documents, one bit each.
extension KeywordColumn {
    /// The first ordinal whose value is at or above `value` (``valueCount`` when none): the start of
    /// a byte-wise range, found by binary search in the sorted dictionary.
    func lowerBoundOrdinal(_ value: [UInt8]) -> Int {
        value.withUnsafeBytes { value in
            var low = 0
            var high = valueCount
            while low < high {
                let middle = (low + high) / 2
                if compare(middle, value) < 0 { low = middle + 1 } else { high = middle }
            }
            return low
        }
    }

    /// Sets the bit of every document with an ordinal in `first...last` (ordinals are value order).
    func matchOrdinals(from first: UInt32, through last: UInt32, into set: inout DocBitSet) {
        precondition(set.count == docCount && first <= last && Int(last) < valueCount, "ordinal range out of bounds")
        let span = UInt64(last &- first)
        set.withUnsafeMutableWords { words in
            if let docStarts {
                for doc in 0..<docCount {
                    var found: UInt64 = 0
                    for index in Int(docStarts[unchecked: doc])..<Int(docStarts[unchecked: doc &+ 1]) {
                        // Ordinals ascend per doc: the first one at or above `first` decides.
                        let ordinal = ordinals[unchecked: index]
                        if ordinal >= UInt64(first) {
                            found = ordinal &- UInt64(first) <= span ? 1 : 0
                            break
                        }
                    }
                    words[doc &>> 6] |= found &<< UInt64(doc & 63)
                }
            } else {
                // Stored values are ordinal + 1 (0 = missing, which wraps far above any span).
                let start = UInt64(first) &+ 1
                for doc in 0..<docCount {
                    let hit: UInt64 = ordinals[unchecked: doc] &- start <= span ? 1 : 0
                    words[doc &>> 6] |= hit &<< UInt64(doc & 63)
                }
            }
        }
    }

    /// Sets the bit of every document having an ordinal whose slot in `wanted` (``valueCount``
    /// entries) is non-zero: `IN` lists with several values present in the segment.
    func matchOrdinals(in wanted: [UInt8], into set: inout DocBitSet) {
        precondition(set.count == docCount && wanted.count == valueCount, "ordinal table of the wrong size")
        // One slot more in front, so the single layout's stored `ordinal + 1` indexes it directly.
        let table = [0] + wanted
        table.withUnsafeBufferPointer { table in
            set.withUnsafeMutableWords { words in
                if let docStarts {
                    for doc in 0..<docCount {
                        var found: UInt64 = 0
                        for index in Int(docStarts[unchecked: doc])..<Int(docStarts[unchecked: doc &+ 1]) {
                            found |= UInt64(table[Int(ordinals[unchecked: index]) &+ 1])
                        }
                        words[doc &>> 6] |= (found != 0 ? 1 : 0) &<< UInt64(doc & 63)
                    }
                } else {
                    for doc in 0..<docCount {
                        let hit = UInt64(table[Int(ordinals[unchecked: doc])] != 0 ? 1 : 0)
                        words[doc &>> 6] |= hit &<< UInt64(doc & 63)
                    }
                }
            }
        }
    }

    /// Sets the bit of every document with at least one value.
    func matchPresent(into set: inout DocBitSet) {
        precondition(set.count == docCount, "bit set of the wrong size")
        set.withUnsafeMutableWords { words in
            for doc in 0..<docCount {
                let present =
                    if let docStarts {
                        docStarts[unchecked: doc] != docStarts[unchecked: doc &+ 1]
                    } else {
                        ordinals[unchecked: doc] != 0
                    }
                words[doc &>> 6] |= (present ? 1 : 0) &<< UInt64(doc & 63)
            }
        }
    }
}
