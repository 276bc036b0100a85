/// Filter evaluation on the packed values: bounds are moved into the packed domain once
/// (`(bound − min) / gcd`), so each document costs one unpack and one unsigned comparison.
extension NumericColumn {
    /// A range of packed values: `packed − start <= span`, in wrapping unsigned arithmetic.
    struct PackedRange {
        var start: UInt64
        var span: UInt64
    }

    /// The packed form of the raw values `range`, or nil when no stored value can fall in it.
    func packedRange(_ range: ClosedRange<Int64>) -> PackedRange? {
        guard let minValue, let maxValue, range.upperBound >= minValue, range.lowerBound <= maxValue else {
            return nil
        }
        let lower = UInt64(bitPattern: max(range.lowerBound, base) &- base)
        let upper = UInt64(bitPattern: min(range.upperBound, maxValue) &- base)
        // Only multiples of gcd are stored: round the lower end up, the upper end down.
        let first = lower / gcd + (lower % gcd == 0 ? 0 : 1)
        let last = upper / gcd
        return first <= last ? PackedRange(start: first, span: last &- first) : nil
    }

    /// Sets the bit of every document having a value in one of `ranges` (raw Int64 values:
    /// ``SortableDouble`` bits for doubles).
    func matchRanges(_ ranges: [ClosedRange<Int64>], into set: inout DocBitSet) {
        precondition(set.count == docCount, "bit set of the wrong size")
        let packed = ranges.compactMap(packedRange)
        if packed.isEmpty { return }
        packed.withUnsafeBufferPointer { packed in
            set.withUnsafeMutableWords { words in
                if packed.count == 1 {
                    fill(words, packed[0])
                } else {
                    fill(words, packed)
                }
            }
        }
    }

    /// One range: the common case, with a loop the compiler can keep branch-free.
    private func fill(_ words: UnsafeMutableBufferPointer<UInt64>, _ range: PackedRange) {
        if let docStarts {
            for doc in 0..<docCount {
                var found: UInt64 = 0
                for index in Int(docStarts[unchecked: doc])..<Int(docStarts[unchecked: doc &+ 1]) {
                    found |= values[unchecked: index] &- range.start <= range.span ? 1 : 0
                }
                words[doc &>> 6] |= found &<< UInt64(doc & 63)
            }
            return
        }
        for doc in 0..<docCount {
            let hit: UInt64 = values[unchecked: doc] &- range.start <= range.span ? 1 : 0
            words[doc &>> 6] |= hit &<< UInt64(doc & 63)
        }
        maskAbsent(words)
    }

    private func fill(_ words: UnsafeMutableBufferPointer<UInt64>, _ ranges: UnsafeBufferPointer<PackedRange>) {
        for doc in 0..<docCount {
            let start = docStarts.map { Int($0[unchecked: doc]) } ?? doc
            let end = docStarts.map { Int($0[unchecked: doc &+ 1]) } ?? doc &+ 1
            var found: UInt64 = 0
            for index in start..<end {
                let value = values[unchecked: index]
                for range in ranges where value &- range.start <= range.span { found = 1 }
            }
            words[doc &>> 6] |= found &<< UInt64(doc & 63)
        }
        if docStarts == nil { maskAbsent(words) }
    }

    /// Clears the documents without a value in the sparse layout (whose slot holds a placeholder).
    private func maskAbsent(_ words: UnsafeMutableBufferPointer<UInt64>) {
        guard let presence else { return }
        // The presence bitmap has the bit order of the words, one byte at a time.
        for index in words.indices {
            var mask: UInt64 = 0
            for byte in 0..<8 {
                let offset = index &* 8 &+ byte
                guard offset < (docCount + 7) / 8 else { break }
                mask |= UInt64(presence.load(fromByteOffset: offset, as: UInt8.self)) &<< UInt64(byte &* 8)
            }
            words[index] &= mask
        }
    }

    /// Sets the bit of every document with at least one value.
    func matchPresent(into set: inout DocBitSet) {
        precondition(set.count == docCount, "bit set of the wrong size")
        if isEmpty { return }
        set.withUnsafeMutableWords { words in
            for doc in 0..<docCount where hasValue(UInt32(doc)) {
                words[doc &>> 6] |= 1 &<< UInt64(doc & 63)
            }
        }
    }
}
