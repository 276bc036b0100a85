/// Writes the `.cols` file of a segment, one column at a time (layout in `docs/format/columns.md`).
///
/// Each column's data goes to disk as soon as it is added; only the small directory waits for
/// ``finish(sync:)``.
public final class ColumnsWriter {
    /// Documents in the segment; every column covers doc ids `0..<docCount`.
    public let docCount: Int
    private let output: IndexOutput
    private var descriptors: [ColumnDescriptor] = []

    /// Creates the `.cols` file of `segment` at `path`.
    public init(path: String, segment: SegmentID, docCount: Int) throws(IndexError) {
        precondition(docCount >= 0 && docCount <= Int(UInt32.max), "document count \(docCount) out of range")
        self.docCount = docCount
        output = try IndexOutput(path: path, kind: .columns, segment: segment)
    }

    /// The offset of the next byte within the body.
    private var bodyOffset: Int { output.offset - IndexFileLayout.headerSize }

    private func checkNew(_ field: UInt32) {
        precondition(!descriptors.contains { $0.field == field }, "field \(field) already has a column")
    }

    private func writePacked(_ values: some Sequence<UInt64>, bitWidth: Int, count: Int) -> PackedSection {
        let section = PackedSection(offset: bodyOffset, bitWidth: bitWidth, count: count)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(section.byteCount)
        PackedInts.pack(values, bitWidth: bitWidth, appendingTo: &bytes)
        assert(bytes.count == section.byteCount)
        output.writeBytes(bytes)
        return section
    }

    /// Per-document runs of entries, as `docCount + 1` start offsets (entries of a doc are
    /// contiguous because docs are added in order).
    private func docStarts(_ entryDocs: [UInt32]) -> [Int] {
        var starts = [Int](repeating: 0, count: docCount + 1)
        for doc in entryDocs {
            precondition(Int(doc) < docCount, "doc \(doc) out of range 0..<\(docCount)")
            starts[Int(doc) + 1] += 1
        }
        for doc in 0..<docCount { starts[doc + 1] += starts[doc] }
        return starts
    }

    /// Writes a keyword column: the sorted dictionary, then the ordinals of every document.
    public func add(_ column: KeywordColumnBuilder) throws(IndexError) {
        checkNew(column.field)
        // Ordinals are ranks in byte-wise (memcmp) order, so ordinal order is value order.
        let sortedIDs =
            column.idsInByteOrder.map { $0.map(Int.init) }
            ?? column.values.indices.sorted { column.values[$0].lexicographicallyPrecedes(column.values[$1]) }
        assert(sortedIDs.count == column.values.count, "one sorted id per distinct value")
        assert(
            zip(sortedIDs, sortedIDs.dropFirst()).allSatisfy {
                column.values[$0].lexicographicallyPrecedes(column.values[$1])
            }, "values out of byte order")
        var ordinalOfID = [UInt32](repeating: 0, count: column.values.count)
        for (ordinal, id) in sortedIDs.enumerated() { ordinalOfID[id] = UInt32(ordinal) }

        let dictionaryOffset = bodyOffset
        var dictionaryStarts: [UInt64] = [0]
        dictionaryStarts.reserveCapacity(column.values.count + 1)
        for id in sortedIDs {
            output.writeBytes(column.values[id])
            dictionaryStarts.append(dictionaryStarts.last! + UInt64(column.values[id].count))
        }
        let dictionaryLength = Int(dictionaryStarts.last!)
        let startsSection = writePacked(
            dictionaryStarts, bitWidth: PackedInts.bitWidth(of: UInt64(dictionaryLength)), count: dictionaryStarts.count
        )

        // Each doc's ordinals as a sorted set.
        let starts = docStarts(column.entryDocs)
        var ordinals: [UInt64] = []
        ordinals.reserveCapacity(column.entryIDs.count)
        var setStarts = [UInt64](repeating: 0, count: docCount + 1)
        var maxPerDoc = 0
        // One scratch buffer for every doc: a Set and a sorted array per doc and column were
        // ~8% of a bulk load's indexing (products have a keyword column per string attribute).
        var docOrdinals: [UInt32] = []
        for doc in 0..<docCount {
            docOrdinals.removeAll(keepingCapacity: true)
            for id in column.entryIDs[starts[doc]..<starts[doc + 1]] { docOrdinals.append(ordinalOfID[Int(id)]) }
            if docOrdinals.count > 1 { docOrdinals.sort() }
            var distinct = 0
            for (index, ordinal) in docOrdinals.enumerated() where index == 0 || ordinal != docOrdinals[index - 1] {
                ordinals.append(UInt64(ordinal))
                distinct += 1
            }
            maxPerDoc = max(maxPerDoc, distinct)
            setStarts[doc + 1] = UInt64(ordinals.count)
        }

        let valueCount = column.values.count
        let descriptor: KeywordDescriptor
        if maxPerDoc <= 1 {
            // One packed `ordinal + 1` per doc; 0 marks a doc without a value.
            let perDoc = (0..<docCount).lazy.map { doc in
                setStarts[doc] == setStarts[doc + 1] ? 0 : ordinals[Int(setStarts[doc])] + 1
            }
            let section = writePacked(perDoc, bitWidth: PackedInts.bitWidth(of: UInt64(valueCount)), count: docCount)
            descriptor = KeywordDescriptor(
                field: column.field, layout: .single, valueCount: valueCount, dictionaryOffset: dictionaryOffset,
                dictionaryLength: dictionaryLength, dictionaryStarts: startsSection, docStarts: nil, ordinals: section)
        } else {
            let startsWidth = PackedInts.bitWidth(of: UInt64(ordinals.count))
            let docSection = writePacked(setStarts, bitWidth: startsWidth, count: docCount + 1)
            let ordinalWidth = PackedInts.bitWidth(of: UInt64(max(valueCount - 1, 0)))
            let section = writePacked(ordinals, bitWidth: ordinalWidth, count: ordinals.count)
            descriptor = KeywordDescriptor(
                field: column.field, layout: .multi, valueCount: valueCount, dictionaryOffset: dictionaryOffset,
                dictionaryLength: dictionaryLength, dictionaryStarts: startsSection, docStarts: docSection,
                ordinals: section)
        }
        descriptors.append(.keyword(descriptor))
    }

    /// Writes a numeric column as `(value − min) / gcd` packed at the width of the largest
    /// quotient, so a constant column costs no bits per document.
    public func add(_ column: NumericColumnBuilder) throws(IndexError) {
        checkNew(column.field)
        var descriptor = NumericDescriptor(
            field: column.field, valueType: column.valueType, layout: .empty, minValue: 0, maxValue: 0, gcd: 1,
            presenceOffset: nil, docStarts: nil, values: PackedSection(offset: bodyOffset, bitWidth: 0, count: 0))
        guard let minValue = column.entryValues.min(), let maxValue = column.entryValues.max() else {
            descriptors.append(.numeric(descriptor))
            return
        }
        // Differences from min fit UInt64 even when the range spans all of Int64.
        var gcd: UInt64 = 0
        for value in column.entryValues {
            gcd = Self.gcd(gcd, UInt64(bitPattern: value &- minValue))
            if gcd == 1 { break }
        }
        if gcd == 0 { gcd = 1 }  // constant column
        let width = PackedInts.bitWidth(of: UInt64(bitPattern: maxValue &- minValue) / gcd)
        func encode(_ value: Int64) -> UInt64 { UInt64(bitPattern: value &- minValue) / gcd }
        descriptor.minValue = minValue
        descriptor.maxValue = maxValue
        descriptor.gcd = gcd

        let starts = docStarts(column.entryDocs)
        var maxPerDoc = 0
        for doc in 0..<docCount { maxPerDoc = max(maxPerDoc, starts[doc + 1] - starts[doc]) }
        if maxPerDoc > 1 {
            descriptor.layout = .multi
            descriptor.docStarts = writePacked(
                starts.lazy.map { UInt64($0) }, bitWidth: PackedInts.bitWidth(of: UInt64(starts[docCount])),
                count: docCount + 1)
            var sorted: [UInt64] = []
            sorted.reserveCapacity(column.entryValues.count)
            for doc in 0..<docCount {
                sorted.append(contentsOf: column.entryValues[starts[doc]..<starts[doc + 1]].sorted().lazy.map(encode))
            }
            descriptor.values = writePacked(sorted, bitWidth: width, count: sorted.count)
        } else {
            let dense = column.entryValues.count == docCount
            if !dense {
                descriptor.layout = .sparse
                descriptor.presenceOffset = bodyOffset
                var bitmap = [UInt8](repeating: 0, count: (docCount + 7) / 8)
                for doc in column.entryDocs { bitmap[Int(doc) >> 3] |= UInt8(1) << UInt8(doc & 7) }
                output.writeBytes(bitmap)
            } else {
                descriptor.layout = .dense
            }
            // Missing docs hold 0 (= min): the bitmap, not the value, says they are missing.
            let perDoc = (0..<docCount).lazy.map { doc in
                starts[doc] == starts[doc + 1] ? 0 : encode(column.entryValues[starts[doc]])
            }
            descriptor.values = writePacked(perDoc, bitWidth: width, count: docCount)
        }
        descriptors.append(.numeric(descriptor))
    }

    /// Writes the directory and the trailer, then the footer; `sync` fsyncs the file.
    public func finish(sync: Bool) throws(IndexError) {
        let directoryOffset = bodyOffset
        let sorted = descriptors.sorted { $0.field < $1.field }
        for descriptor in sorted { descriptor.write(to: output) }
        output.writeUInt64(UInt64(directoryOffset))
        output.writeUInt32(UInt32(sorted.count))
        output.writeUInt32(UInt32(docCount))
        try output.finish(sync: sync)
    }

    private static func gcd(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return x
    }
}
