/// A ``FacetRequest`` checked against the schema: the field's number and type, range bounds as
/// inclusive ranges of raw column values (the filters' ``NumericBound`` rounding).
struct FacetPlan: Sendable {
    let request: FacetRequest
    let field: UInt32
    let type: FieldType
    /// Per requested range, its raw values; nil when no value can fall in it.
    let ranges: [ClosedRange<Int64>?]

    init(_ request: FacetRequest, schema: Schema) throws(SearchError) {
        self.request = request
        let name = request.field
        let type: FieldType
        do throws(FilterError) {
            type = try FilterValueChecker.filterableType(of: name, in: schema, at: nil)
        } catch {
            throw .invalidFacet(field: name, reason: error.message)
        }
        self.type = type
        field = UInt32(schema.fieldNumber(name)!)
        var isKeyword = false
        if case .keyword = type { isKeyword = true }
        var ranges: [ClosedRange<Int64>?] = []
        switch request.kind {
        case .values(let limit, _):
            guard isKeyword else { throw .invalidFacet(field: name, reason: "value counts need a keyword field") }
            guard limit >= 0 else { throw .invalidFacet(field: name, reason: "the limit \(limit) is negative") }
        case .ranges(let requested):
            guard !isKeyword else { throw .invalidFacet(field: name, reason: "ranges need a numeric or date field") }
            do throws(FilterError) {
                for range in requested {
                    let lower = try range.lower.map { (bound) throws(FilterError) in
                        try NumericBound.lower(bound.value, inclusive: bound.inclusive, field: name, type: type)
                    }
                    let upper = try range.upper.map { (bound) throws(FilterError) in
                        try NumericBound.upper(bound.value, inclusive: bound.inclusive, field: name, type: type)
                    }
                    if let start = lower ?? Int64.min, let end = upper ?? Int64.max, start <= end {
                        ranges.append(start...end)
                    } else {
                        ranges.append(nil)
                    }
                }
            } catch {
                throw .invalidFacet(field: name, reason: error.message)
            }
        case .histogram(let interval):
            guard !isKeyword else {
                throw .invalidFacet(field: name, reason: "histograms need a numeric or date field")
            }
            guard interval.isFinite, interval > 0 else {
                throw .invalidFacet(field: name, reason: "the interval \(interval) is not a positive number")
            }
        case .stats:
            guard !isKeyword else {
                throw .invalidFacet(field: name, reason: "statistics need a numeric or date field")
            }
        }
        self.ranges = ranges
    }
}

/// The counts of one facet, summed segment by segment: per segment into flat arrays indexed by
/// ordinal, then merged by value (ordinals are per segment).
struct FacetAccumulator {
    private var valueCounts: [String: Int] = [:]
    private var rangeCounts: [Int]
    private var buckets: [Double: Int] = [:]
    private var statsCount = 0
    private var minimum = Double.infinity
    private var maximum = -Double.infinity
    private var sum = 0.0

    init(_ plan: FacetPlan) { rangeCounts = [Int](repeating: 0, count: plan.ranges.count) }

    /// Counts the documents `docs` of `segment`.
    mutating func add(_ docs: DocBitSet, of segment: SegmentReader, plan: FacetPlan) {
        if case .values = plan.request.kind {
            guard let column = segment.columns.keywordColumn(field: plan.field), column.valueCount > 0 else { return }
            var counts = [UInt32](repeating: 0, count: column.valueCount)
            column.countOrdinals(docs: docs, into: &counts)
            for (ordinal, count) in counts.enumerated() where count > 0 {
                valueCounts[String(decoding: column.value(forOrdinal: ordinal), as: UTF8.self), default: 0] += Int(
                    count)
            }
            return
        }
        guard let column = segment.columns.numericColumn(field: plan.field), column.minValue != nil else { return }
        let isDouble = column.valueType == .double
        var interval = 0.0
        if case .histogram(let value) = plan.request.kind { interval = value }
        // Buckets of this segment in a flat array when its values span few of them (from the column's
        // min and max), instead of hashing a double per value.
        var firstBucket = 0.0
        var bucketCounts: [Int] = []
        if interval > 0, let minValue = column.minValue, let maxValue = column.maxValue {
            let low = ((isDouble ? SortableDouble.double(minValue) : Double(minValue)) / interval).rounded(.down)
            let high = ((isDouble ? SortableDouble.double(maxValue) : Double(maxValue)) / interval).rounded(.down)
            if low.isFinite, high.isFinite, high - low < Double(max(4096, 2 * column.docCount)) {
                firstBucket = low
                bucketCounts = [Int](repeating: 0, count: Int(high - low) + 1)
            }
        }
        defer {
            for (offset, count) in bucketCounts.enumerated() where count > 0 {
                buckets[(firstBucket + Double(offset)) * interval, default: 0] += count
            }
        }
        for doc in docs {
            let values = column.values(doc)
            if values.isEmpty { continue }
            var previousKey = Double.nan
            for raw in values {
                let value = isDouble ? SortableDouble.double(raw) : Double(raw)
                statsCount += 1
                sum += value
                minimum = min(minimum, value)
                maximum = max(maximum, value)
                if interval > 0 {
                    // Values ascend, so a document's repeated bucket is the previous one.
                    let bucket = (value / interval).rounded(.down)
                    if bucket != previousKey {
                        if bucketCounts.isEmpty {
                            buckets[bucket * interval, default: 0] += 1
                        } else {
                            bucketCounts[Int(bucket - firstBucket)] += 1
                        }
                    }
                    previousKey = bucket
                }
            }
            for (position, range) in plan.ranges.enumerated() {
                guard let range else { continue }
                for raw in values where range.contains(raw) {
                    rangeCounts[position] += 1
                    break
                }
            }
        }
    }

    /// The facet's result.
    func result(_ plan: FacetPlan) -> FacetResult {
        let stats =
            statsCount == 0 ? nil : NumericStats(count: statsCount, min: minimum, max: maximum, sum: sum)
        switch plan.request.kind {
        case .values(let limit, let order):
            var values = valueCounts.map { FacetValueCount(value: $0.key, count: $0.value) }
            switch order {
            case .count:
                values.sort {
                    $0.count != $1.count ? $0.count > $1.count : $0.value.utf8.lexicographicallyPrecedes($1.value.utf8)
                }
            case .value:
                values.sort { $0.value.utf8.lexicographicallyPrecedes($1.value.utf8) }
            }
            return FacetResult(
                field: plan.request.field, counts: .values(Array(values.prefix(limit)), distinctValues: values.count),
                stats: nil)
        case .ranges(let requested):
            let counts = zip(requested, rangeCounts).map { FacetRangeCount(range: $0, count: $1) }
            return FacetResult(field: plan.request.field, counts: .ranges(counts), stats: stats)
        case .histogram:
            let sorted = buckets.sorted { $0.key < $1.key }.map { FacetBucket(key: $0.key, count: $0.value) }
            return FacetResult(field: plan.request.field, counts: .histogram(sorted), stats: stats)
        case .stats:
            return FacetResult(field: plan.request.field, counts: .stats, stats: stats)
        }
    }
}
