/// A sort's keys read from one segment's columns as unsigned words where smaller comes first: per key
/// a class word (0 missing-first, 1 present, 2 missing-last) and a value word (keyword ordinal, numeric
/// value or score mapped to an order-preserving UInt64, complemented when descending), then the id's
/// ordinal and the document. Comparing words is comparing values inside the segment only: keyword and
/// id ordinals belong to this segment's dictionaries (``SortedHits`` compares bytes across segments).
struct SegmentSortKeys {
    enum Source {
        case score(descending: Bool)
        case keyword(KeywordColumn?, descending: Bool, missingClass: UInt64)
        case numeric(NumericColumn?, descending: Bool, missingClass: UInt64)
    }

    let sources: [Source]
    /// The same keys as plain pointers into the mapped columns: the per-document loop reads them
    /// without reference counting or optional columns.
    let readers: [SortKeyReader]
    let idOrdinals: [UInt32]
    /// Words per entry: two per key, the id ordinal, the document.
    let stride: Int

    init(_ plan: SortPlan, segment: SegmentReader) throws(IndexError) {
        sources = plan.keys.map { key in
            let missingClass: UInt64 = key.missingFirst ? 0 : 2
            switch key.column {
            case .score: return .score(descending: key.descending)
            case .keyword(let field):
                return .keyword(
                    segment.columns.keywordColumn(field: field), descending: key.descending, missingClass: missingClass)
            case .numeric(let field, _):
                return .numeric(
                    segment.columns.numericColumn(field: field), descending: key.descending, missingClass: missingClass)
            }
        }
        readers = zip(plan.keys, sources).map { key, source in SortKeyReader(source, descending: key.descending) }
        idOrdinals = try segment.idOrdinals.ordinals(of: segment)
        stride = 2 * sources.count + 2
    }

    /// Writes the words of `doc` (scored `score`) into `words[0..<stride]`.
    @inline(__always)
    func encode(_ doc: UInt32, score: Float, into words: UnsafeMutablePointer<UInt64>) {
        readers.withUnsafeBufferPointer { readers in
            for position in 0..<readers.count {
                readers[position].write(doc, score: score, into: words + 2 &* position)
            }
        }
        words[stride &- 2] = idOrdinals.withUnsafeBufferPointer { Self.word(ordinal: $0[Int(doc)]) }
        words[stride &- 1] = UInt64(doc)
    }

    /// Writes only the first key's two words of `doc`: enough to reject most candidates.
    @inline(__always)
    func encodeFirstKey(_ doc: UInt32, score: Float, into words: UnsafeMutablePointer<UInt64>) {
        readers.withUnsafeBufferPointer { $0[0].write(doc, score: score, into: words) }
    }

    /// Ordinals go to even words, leaving the odd word below each free for a cursor value absent here.
    @inline(__always)
    static func word(ordinal: UInt32) -> UInt64 { 2 * UInt64(ordinal) + 2 }

    @inline(__always)
    static func word(_ value: Int64) -> UInt64 { UInt64(bitPattern: value) ^ (1 << 63) }

    @inline(__always)
    static func word(_ score: Float) -> UInt64 {
        let bits = score.bitPattern
        return UInt64(bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000)
    }

    /// The words of `cursor` in this segment's terms (keyword and id values absent from its
    /// dictionaries fall on the odd word between their neighbours), with a document word above
    /// every document: a hit comes strictly after the cursor when its words are greater.
    func cursorWords(_ cursor: SearchCursor, segment: SegmentReader) throws(IndexError) -> [UInt64] {
        var words = [UInt64](repeating: 0, count: stride)
        for (position, source) in sources.enumerated() {
            let value = cursor.values[position]
            var word: UInt64 = 0
            var descending = false
            var missingClass: UInt64 = 2
            switch (source, value) {
            case (.score(let isDescending), .score(let score)):
                descending = isDescending
                word = Self.word(score)
            case (.keyword(let column, let isDescending, let missing), _):
                descending = isDescending
                missingClass = missing
                if case .keyword(let bytes) = value {
                    let lower = column?.lowerBoundOrdinal(bytes) ?? 0
                    let exact =
                        column.map { lower < $0.valueCount && $0.valueBytes(forOrdinal: lower) == bytes } ?? false
                    word = exact ? Self.word(ordinal: UInt32(lower)) : 2 * UInt64(lower) + 1
                }
            case (.numeric(_, let isDescending, let missing), _):
                descending = isDescending
                missingClass = missing
                if case .integer(let integer) = value { word = Self.word(integer) }
                if case .double(let double) = value { word = Self.word(SortableDouble.bits(double)) }
            default:
                preconditionFailure("the cursor was checked against the sort")
            }
            let present = value != .missing
            words[2 * position] = present ? 1 : missingClass
            words[2 * position + 1] = present ? (descending ? ~word : word) : 0
        }
        var idWord: UInt64 = 1
        if let fieldTerms = segment.terms.terms(forField: UInt32(segment.schema.idFieldNumber)) {
            var terms = fieldTerms.makeCursor()
            switch try terms.seekCeil(cursor.id) {
            case .found: idWord = Self.word(ordinal: UInt32(terms.ordinal))
            case .notFound: idWord = 2 * UInt64(terms.ordinal) + 1
            case .end: idWord = 2 * UInt64(fieldTerms.termCount) + 1
            }
        }
        words[stride - 2] = idWord
        words[stride - 1] = .max
        return words
    }

    /// The sort values of an entry's words, with keyword ordinals resolved to bytes.
    func values(of words: UnsafePointer<UInt64>, plan: SortPlan) -> [SortValue] {
        var values: [SortValue] = []
        for (position, key) in plan.keys.enumerated() {
            guard words[2 * position] == 1 else {
                values.append(.missing)
                continue
            }
            let word = key.descending ? ~words[2 * position + 1] : words[2 * position + 1]
            switch (sources[position], key.column) {
            case (.score, _):
                let bits = UInt32(truncatingIfNeeded: word)
                values.append(.score(Float(bitPattern: bits & 0x8000_0000 != 0 ? bits & 0x7FFF_FFFF : ~bits)))
            case (.keyword(let column?, _, _), _):
                values.append(.keyword(column.valueBytes(forOrdinal: Int((word - 2) / 2))))
            case (.numeric, .numeric(_, let type)):
                let value = Int64(bitPattern: word ^ (1 << 63))
                values.append(type == .double ? .double(SortableDouble.double(value)) : .integer(value))
            default:
                preconditionFailure("a present value has a column")
            }
        }
        return values
    }
}

/// One sort key's column in one segment, reduced to the packed arrays it reads.
struct SortKeyReader {
    enum Layout {
        case score
        /// Single-valued keyword: `ordinal + 1` per document, 0 when missing.
        case keywordSingle
        /// Multi-valued keyword: `starts` delimit each document's ascending ordinals in `values`.
        case keywordMulti
        /// Numeric: `(value − base) / gcd` per value; `presence` and `starts` as in ``NumericColumn``.
        case numeric
        /// No column in this segment: every document is missing.
        case absent
    }

    let layout: Layout
    let descending: Bool
    let missingClass: UInt64
    let values: PackedIntsReader
    let starts: PackedIntsReader?
    let presence: UnsafeRawPointer?
    let base: Int64
    let gcd: UInt64

    init(_ source: SegmentSortKeys.Source, descending: Bool) {
        self.descending = descending
        var layout = Layout.absent
        var values = PackedIntsReader(base: UnsafeRawPointer(bitPattern: 8)!, count: 0, bitWidth: 0)
        var starts: PackedIntsReader?
        var presence: UnsafeRawPointer?
        var base: Int64 = 0
        var gcd: UInt64 = 0
        var missingClass: UInt64 = 2
        switch source {
        case .score:
            layout = .score
        case .keyword(let column, _, let missing):
            missingClass = missing
            if let column {
                layout = column.docStarts == nil ? .keywordSingle : .keywordMulti
                values = column.ordinals
                starts = column.docStarts
            }
        case .numeric(let column, _, let missing):
            missingClass = missing
            if let column, !column.isEmpty {
                layout = .numeric
                values = column.values
                starts = column.docStarts
                presence = column.presence
                base = column.base
                gcd = column.gcd
            }
        }
        self.layout = layout
        self.values = values
        self.starts = starts
        self.presence = presence
        self.base = base
        self.gcd = gcd
        self.missingClass = missingClass
    }

    /// Writes the class and value words of `doc` for this key.
    @inline(__always)
    func write(_ doc: UInt32, score: Float, into words: UnsafeMutablePointer<UInt64>) {
        var word: UInt64
        switch layout {
        case .score:
            word = SegmentSortKeys.word(score)
        case .keywordSingle:
            let stored = values[unchecked: Int(doc)]
            if stored == 0 { return writeMissing(into: words) }
            word = SegmentSortKeys.word(ordinal: UInt32(truncatingIfNeeded: stored &- 1))
        case .keywordMulti:
            let start = Int(starts.unsafelyUnwrapped[unchecked: Int(doc)])
            let end = Int(starts.unsafelyUnwrapped[unchecked: Int(doc) &+ 1])
            if start == end { return writeMissing(into: words) }
            // Elasticsearch's default mode: the smallest value ascending, the largest descending.
            let ordinal = values[unchecked: descending ? end &- 1 : start]
            word = SegmentSortKeys.word(ordinal: UInt32(truncatingIfNeeded: ordinal))
        case .numeric:
            var index = Int(doc)
            if let presence, presence.load(fromByteOffset: Int(doc &>> 3), as: UInt8.self) &>> (doc & 7) & 1 == 0 {
                return writeMissing(into: words)
            }
            if let starts {
                let start = Int(starts[unchecked: Int(doc)])
                let end = Int(starts[unchecked: Int(doc) &+ 1])
                if start == end { return writeMissing(into: words) }
                index = descending ? end &- 1 : start
            }
            word = SegmentSortKeys.word(base &+ Int64(bitPattern: values[unchecked: index] &* gcd))
        case .absent:
            return writeMissing(into: words)
        }
        words[0] = 1
        words[1] = descending ? ~word : word
    }

    @inline(__always)
    private func writeMissing(into words: UnsafeMutablePointer<UInt64>) {
        words[0] = missingClass
        words[1] = 0
    }
}

/// The best `capacity` entries of one segment by their words: a binary heap whose root is the worst
/// kept entry, so a candidate is rejected by one comparison with it once the heap is full.
struct SegmentSortHeap {
    let capacity: Int
    let stride: Int
    private(set) var words: [UInt64]
    private(set) var scores: [Float]
    private(set) var count = 0

    init(capacity: Int, stride: Int) {
        self.capacity = capacity
        self.stride = stride
        words = [UInt64](repeating: 0, count: min(capacity, 1 << 16) * stride)
        scores = []
    }

    /// False when the first `prefix` words of `candidate` already rank it after the worst kept entry
    /// of a full heap; with `prefix` = ``stride``, true exactly when the entry would be kept.
    @inline(__always)
    func accepts(_ candidate: UnsafePointer<UInt64>, prefix: Int) -> Bool {
        if count < capacity { return true }
        if capacity == 0 { return false }
        let order = words.withUnsafeBufferPointer { Self.compare(candidate, $0.baseAddress!, prefix) }
        return prefix == stride ? order < 0 : order <= 0
    }

    /// Keeps the entry at `candidate`; call only when ``accepts(_:)``.
    mutating func insert(_ candidate: UnsafePointer<UInt64>, score: Float) {
        let stride = stride
        if count < capacity {
            if words.count < (count + 1) * stride { words += [UInt64](repeating: 0, count: words.count + stride) }
            words.withUnsafeMutableBufferPointer {
                ($0.baseAddress! + count * stride).update(from: candidate, count: stride)
            }
            scores.append(score)
            count += 1
            siftUp(count - 1)
        } else {
            words.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: candidate, count: stride) }
            scores[0] = score
            siftDown(0)
        }
    }

    /// Lexicographic comparison of two entries' words.
    @inline(__always)
    static func compare(_ a: UnsafePointer<UInt64>, _ b: UnsafePointer<UInt64>, _ stride: Int) -> Int {
        for index in 0..<stride where a[index] != b[index] { return a[index] < b[index] ? -1 : 1 }
        return 0
    }

    private func worse(_ a: Int, _ b: Int) -> Bool {
        words.withUnsafeBufferPointer {
            Self.compare($0.baseAddress! + a * stride, $0.baseAddress! + b * stride, stride) > 0
        }
    }

    private mutating func swapEntries(_ a: Int, _ b: Int) {
        let stride = stride
        words.withUnsafeMutableBufferPointer { words in
            for index in 0..<stride { words.swapAt(a * stride + index, b * stride + index) }
        }
        scores.swapAt(a, b)
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard worse(child, parent) else { return }
            swapEntries(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            var worst = parent
            let left = 2 * parent + 1
            let right = left + 1
            if left < count && worse(left, worst) { worst = left }
            if right < count && worse(right, worst) { worst = right }
            if worst == parent { return }
            swapEntries(worst, parent)
            parent = worst
        }
    }
}

/// The best hits over all segments so far, compared by values (keyword bytes, id bytes): each segment's
/// kept entries are resolved to values and merged in (Lucene's `TopFieldCollector` merge of leaf results).
struct SortedHits {
    struct Entry {
        var values: [SortValue]
        var id: [UInt8]
        var hit: SearchHit
    }

    let plan: SortPlan
    let limit: Int
    private(set) var entries: [Entry] = []

    init(plan: SortPlan, limit: Int) {
        self.plan = plan
        self.limit = limit
    }

    /// Merges the entries of segment `index` kept in `heap`.
    mutating func merge(
        _ heap: SegmentSortHeap, keys: SegmentSortKeys, segment: SegmentReader, index: Int
    ) throws(IndexError) {
        guard heap.count > 0 else { return }
        let fieldTerms = segment.terms.terms(forField: UInt32(segment.schema.idFieldNumber))
        let sortPlan = plan
        for entry in 0..<heap.count {
            let (values, document, idOrdinal) = heap.words.withUnsafeBufferPointer { words in
                let base = words.baseAddress! + entry * heap.stride
                return (
                    keys.values(of: base, plan: sortPlan), UInt32(base[heap.stride - 1]),
                    (base[heap.stride - 2] - 2) / 2
                )
            }
            guard let fieldTerms, idOrdinal < UInt64(fieldTerms.termCount) else {
                throw .corrupt(file: "\(segment.id).terms", reason: "document \(document) has no id")
            }
            let id = try fieldTerms.term(atOrdinal: Int(idOrdinal))
            entries.append(
                Entry(
                    values: values, id: id,
                    hit: SearchHit(segment: index, document: document, score: heap.scores[entry])))
        }
        entries.sort { a, b in
            let order = sortPlan.compare(a.values, id: a.id, b.values, id: b.id)
            return order != 0 ? order < 0 : (a.hit.segment, a.hit.document) < (b.hit.segment, b.hit.document)
        }
        if entries.count > limit { entries.removeLast(entries.count - limit) }
    }
}
