#if canImport(Glibc)
    import Glibc
#endif

/// The column of one keyword field: a sorted per-segment dictionary of distinct byte strings
/// (ordinal = rank) and, per document, a sorted set of ordinals.
///
/// Ordinals are validated at open (each below ``valueCount``, each doc's set strictly ascending),
/// which is what lets ``countOrdinals(docs:into:)`` index a counts buffer without checks.
// @unchecked: every pointer is into a read-only mapping that `file` retains.
public struct KeywordColumn: @unchecked Sendable {
    /// The field number.
    public let field: UInt32
    /// Documents covered (doc ids `0..<docCount`).
    public let docCount: Int
    /// Distinct values; ordinals are `0..<valueCount`.
    public let valueCount: Int
    /// True when some document has more than one value.
    public var isMultiValued: Bool { docStarts != nil }

    private let file: IndexFile
    private let dictionary: UnsafeRawPointer
    private let dictionaryStarts: PackedIntsReader
    // Multi layout: per-doc offsets into `ordinals`; nil for the single layout.
    let docStarts: PackedIntsReader?
    // Single layout: `ordinal + 1` per doc (0 = missing); multi: the flat ordinal array.
    let ordinals: PackedIntsReader

    init(_ entry: KeywordDescriptor, file: IndexFile, docCount: Int) throws(IndexError) {
        let name = file.fileName
        let what = "keyword column \(entry.field)"
        field = entry.field
        self.docCount = docCount
        valueCount = entry.valueCount
        self.file = file
        dictionary = file.body.baseAddress! + entry.dictionaryOffset
        dictionaryStarts = PackedIntsReader(entry.dictionaryStarts, in: file)
        try dictionaryStarts.validateStarts(total: entry.dictionaryLength, file: name, what: "\(what) dictionary")
        ordinals = PackedIntsReader(entry.ordinals, in: file)
        if let section = entry.docStarts {
            let starts = PackedIntsReader(section, in: file)
            try starts.validateStarts(total: ordinals.count, file: name, what: "\(what) documents")
            docStarts = starts
        } else {
            docStarts = nil
        }
        // Strictly ascending values make ordinal order value order and binary search correct.
        for ordinal in 1..<max(valueCount, 1) where compare(ordinal - 1, value(forOrdinal: ordinal)) >= 0 {
            throw .corrupt(file: name, reason: "\(what): dictionary value \(ordinal) is not above its predecessor")
        }
        try validateOrdinals(what: what, file: name)
    }

    private func validateOrdinals(what: String, file name: String) throws(IndexError) {
        if let docStarts {
            for doc in 0..<docCount {
                var previous: UInt64?
                for index in Int(docStarts[unchecked: doc])..<Int(docStarts[unchecked: doc + 1]) {
                    let ordinal = ordinals[unchecked: index]
                    guard ordinal < UInt64(valueCount), previous.map({ ordinal > $0 }) ?? true else {
                        throw .corrupt(file: name, reason: "\(what): doc \(doc) has ordinal \(ordinal) out of order")
                    }
                    previous = ordinal
                }
            }
        } else {
            for doc in 0..<docCount where ordinals[unchecked: doc] > UInt64(valueCount) {
                throw .corrupt(file: name, reason: "\(what): doc \(doc) has ordinal out of range")
            }
        }
    }

    /// The ordinals of `doc`, ascending; empty when the doc has no value. O(1), no allocation.
    @inline(__always)
    public func ordinals(_ doc: UInt32) -> OrdinalSet {
        precondition(Int(doc) < docCount, "doc \(doc) out of range 0..<\(docCount)")
        if let docStarts {
            let start = Int(docStarts[unchecked: Int(doc)])
            let end = Int(docStarts[unchecked: Int(doc) + 1])
            return OrdinalSet(packed: ordinals, bias: 0, startIndex: start, endIndex: end)
        }
        let present = ordinals[unchecked: Int(doc)] != 0
        return OrdinalSet(packed: ordinals, bias: 1, startIndex: Int(doc), endIndex: Int(doc) + (present ? 1 : 0))
    }

    /// The smallest ordinal of `doc`, or nil when it has no value (the value sorting uses).
    @inline(__always)
    public func ordinal(_ doc: UInt32) -> UInt32? { ordinals(doc).first }

    /// The bytes of the value with `ordinal`, valid while this column lives.
    public func value(forOrdinal ordinal: Int) -> UnsafeRawBufferPointer {
        precondition(ordinal >= 0 && ordinal < valueCount, "ordinal \(ordinal) out of range 0..<\(valueCount)")
        let start = Int(dictionaryStarts[unchecked: ordinal])
        let end = Int(dictionaryStarts[unchecked: ordinal + 1])
        return UnsafeRawBufferPointer(start: dictionary + start, count: end - start)
    }

    /// A copy of the value with `ordinal`.
    public func valueBytes(forOrdinal ordinal: Int) -> [UInt8] { Array(value(forOrdinal: ordinal)) }

    /// The ordinal of `value`, or nil when no document of the segment has it (binary search).
    public func ordinal(forValue value: UnsafeRawBufferPointer) -> UInt32? {
        var low = 0
        var high = valueCount
        while low < high {
            let middle = (low + high) / 2
            let order = compare(middle, value)
            if order == 0 { return UInt32(middle) }
            if order < 0 { low = middle + 1 } else { high = middle }
        }
        return nil
    }

    /// The ordinal of `value`, or nil when no document of the segment has it.
    public func ordinal(forValue value: [UInt8]) -> UInt32? { value.withUnsafeBytes { ordinal(forValue: $0) } }

    /// The ordinal of the UTF-8 bytes of `value`, or nil when absent.
    public func ordinal(forValue value: String) -> UInt32? { ordinal(forValue: Array(value.utf8)) }

    /// Byte-wise comparison of the value with `ordinal` against `other`: negative, zero, positive.
    func compare(_ ordinal: Int, _ other: UnsafeRawBufferPointer) -> Int {
        let mine = value(forOrdinal: ordinal)
        let common = min(mine.count, other.count)
        if common > 0 {
            let order = memcmp(mine.baseAddress!, other.baseAddress!, common)
            if order != 0 { return Int(order) }
        }
        return mine.count - other.count
    }

    /// Adds one to `counts[ordinal]` for every ordinal of every doc in `docs` (facet counting).
    ///
    /// `counts` must have at least ``valueCount`` slots; every doc must be below ``docCount``.
    /// Concrete overloads exist for the doc sets collectors hold (a range, a buffer of doc ids),
    /// because a generic call from another module runs unspecialized (measured 10× slower).
    public func countOrdinals(docs: some Sequence<UInt32>, into counts: UnsafeMutableBufferPointer<UInt32>) {
        accumulate(docs, into: counts)
    }

    /// Counts the ordinals of every doc in `docs`, a range of doc ids, into `counts`.
    public func countOrdinals(docs: Range<UInt32>, into counts: UnsafeMutableBufferPointer<UInt32>) {
        precondition(Int(docs.upperBound) <= docCount, "docs \(docs) out of range 0..<\(docCount)")
        accumulate(docs, into: counts)
    }

    /// Counts the ordinals of the docs listed in `docs` into `counts`.
    public func countOrdinals(docs: UnsafeBufferPointer<UInt32>, into counts: UnsafeMutableBufferPointer<UInt32>) {
        accumulate(docs, into: counts)
    }

    /// Counts the ordinals of `docs` into `counts`, which must have ``valueCount`` slots.
    public func countOrdinals(docs: some Sequence<UInt32>, into counts: inout [UInt32]) {
        counts.withUnsafeMutableBufferPointer { accumulate(docs, into: $0) }
    }

    /// Counts the ordinals of every doc in `docs`, a range of doc ids, into `counts`.
    public func countOrdinals(docs: Range<UInt32>, into counts: inout [UInt32]) {
        counts.withUnsafeMutableBufferPointer { countOrdinals(docs: docs, into: $0) }
    }

    /// Counts the ordinals of the docs listed in `docs` into `counts`.
    public func countOrdinals(docs: UnsafeBufferPointer<UInt32>, into counts: inout [UInt32]) {
        counts.withUnsafeMutableBufferPointer { accumulate(docs, into: $0) }
    }

    // The one loop behind every overload, specialized per doc-set type inside this module.
    @inline(__always)
    private func accumulate(_ docs: some Sequence<UInt32>, into counts: UnsafeMutableBufferPointer<UInt32>) {
        precondition(counts.count >= valueCount, "\(counts.count) counts for \(valueCount) values")
        guard let slots = counts.baseAddress else { return }
        if let docStarts {
            for doc in docs {
                precondition(Int(doc) < docCount, "doc \(doc) out of range 0..<\(docCount)")
                let end = Int(docStarts[unchecked: Int(doc) + 1])
                for index in Int(docStarts[unchecked: Int(doc)])..<end {
                    slots[Int(ordinals[unchecked: index])] &+= 1
                }
            }
        } else {
            // Validated at open: each stored value is at most valueCount, so value − 1 is in range.
            for doc in docs {
                precondition(Int(doc) < docCount, "doc \(doc) out of range 0..<\(docCount)")
                let stored = Int(ordinals[unchecked: Int(doc)])
                if stored != 0 { slots[stored &- 1] &+= 1 }
            }
        }
    }
}

/// The ordinals of one document, ascending, read from the packed column in place.
public struct OrdinalSet: RandomAccessCollection, Sendable {
    let packed: PackedIntsReader
    // Stored value − bias = ordinal (1 in the single layout, where 0 marks a missing value).
    let bias: UInt64
    /// Position of the first ordinal.
    public let startIndex: Int
    /// Position past the last ordinal.
    public let endIndex: Int

    /// The ordinal at `position`.
    @inline(__always)
    public subscript(position: Int) -> UInt32 {
        precondition(position >= startIndex && position < endIndex, "ordinal position out of range")
        return UInt32(truncatingIfNeeded: packed[unchecked: position] &- bias)
    }
}
