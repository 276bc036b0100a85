/// Merges segments into one, dropping deleted documents: documents keep their order (segment by
/// segment), terms are merged in byte order across the sources' dictionaries, and every file of
/// the new segment is written once, streaming, and fsynced.
struct SegmentMerger {
    let schema: Schema
    let directory: String
    let compressionLevel: Int32

    /// The outcome: the new segment's metadata and, per source, each old document's new id
    /// (`UInt32.max` for documents that were deleted and dropped).
    struct Result {
        var info: SegmentInfo
        var documentMaps: [[UInt32]]
    }

    static let dropped = UInt32.max

    /// Merges `sources` (with the deletes each reader sees) into segment `target`. The sources
    /// must hold at least one live document.
    func merge(_ sources: [SegmentReader], into target: SegmentID) throws(IndexError) -> Result {
        var documentMaps: [[UInt32]] = []
        var next: UInt32 = 0
        for source in sources {
            var map = [UInt32](repeating: Self.dropped, count: Int(source.documentCount))
            for document in 0..<source.documentCount where source.isLive(document) {
                map[Int(document)] = next
                next += 1
            }
            documentMaps.append(map)
        }
        precondition(next > 0, "a merge needs at least one live document")
        let documentCount = Int(next)
        let path = { (kind: IndexFileKind) in SegmentInfo.path(directory: directory, segment: target, kind: kind) }

        // Norms, remapped.
        var norms = FieldNormsWriter(docCount: documentCount)
        var normBytes: [[UInt8]] = Array(repeating: [], count: schema.fields.count)
        for (number, field) in schema.fields.enumerated() {
            guard case .text = field.type else { continue }
            var bytes = [UInt8](repeating: 0, count: documentCount)
            for (source, map) in zip(sources, documentMaps) {
                guard let sourceNorms = source.norms.norms(field: UInt32(number)) else { continue }
                for (old, new) in map.enumerated() where new != Self.dropped {
                    bytes[Int(new)] = sourceNorms[UInt32(old)]
                }
            }
            norms.setNorms(bytes, field: UInt32(number))
            normBytes[number] = bytes
        }
        try norms.write(to: path(.fieldNorms), segment: target, sync: true)

        let statistics = try mergeInvertedFields(
            sources,
            documentMaps: documentMaps,
            documentCount: documentCount,
            normBytes: normBytes,
            target: target,
            path: path
        )
        try mergeColumns(
            sources, documentMaps: documentMaps, documentCount: documentCount, path: path(.columns), target: target)

        let store = try StoredDocumentsWriter(path: path(.storedDocuments), segment: target, level: compressionLevel)
        var rewritten: [UInt8] = []
        for (source, map) in zip(sources, documentMaps) {
            let version = source.storedDocuments.file.version
            let fileName = source.storedDocuments.file.fileName
            try source.storedDocuments.forEachDocument { (document, bytes) throws(IndexError) in
                guard map[Int(document)] != Self.dropped else { return }
                guard version != StoredFieldsCodec.currentVersion else { return try store.add(bytes) }
                // An older payload shape: decoded and encoded again, so the new file is one version.
                let fields = try StoredFieldsCodec.decode(
                    bytes, fieldCount: schema.fields.count, version: version, fileName: fileName)
                rewritten.removeAll(keepingCapacity: true)
                StoredFieldsCodec.encode(fields, into: &rewritten)
                try store.add(rewritten)
            }
        }
        try store.finish(sync: true)

        let info = SegmentInfo(
            id: target,
            documentCount: next,
            schemaFieldCount: schema.fields.count,
            fields: statistics
        )
        try info.write(directory: directory, sync: true)
        return Result(info: info, documentMaps: documentMaps)
    }

    private func mergeInvertedFields(
        _ sources: [SegmentReader],
        documentMaps: [[UInt32]],
        documentCount: Int,
        normBytes: [[UInt8]],
        target: SegmentID,
        path: (IndexFileKind) -> String
    ) throws(IndexError) -> [SegmentInfo.FieldStatistics] {
        let postings = try PostingsWriter(
            postingsPath: path(.postings), positionsPath: path(.positions), segment: target)
        let dictionary = try TermDictionaryWriter(path: path(.termDictionary), segment: target)
        let keywordNorm = SmallFloat.intToByte4(1)
        var positions: [UInt32] = []
        var statistics: [SegmentInfo.FieldStatistics] = []
        let cursors = UnsafeMutablePointer<TermCursor>.allocate(capacity: sources.count)
        defer { cursors.deallocate() }

        for (number, field) in schema.fields.enumerated() where schema.isIndexed(number) {
            let withPositions: Bool
            if case .text = field.type { withPositions = true } else { withPositions = false }
            // One cursor per source that has the field; `active` lists the sources not exhausted.
            var owners: [Int] = []
            for (index, source) in sources.enumerated() {
                guard let terms = source.terms.terms(forField: UInt32(number)) else { continue }
                (cursors + owners.count).initialize(to: terms.makeCursor())
                owners.append(index)
            }
            defer { cursors.deinitialize(count: owners.count) }
            var active: [Int] = []
            for slot in owners.indices where try cursors[slot].next() { active.append(slot) }

            dictionary.startField(UInt32(number))
            var sumTotal: UInt64 = 0
            var sumDocuments: UInt64 = 0
            var termCount: UInt64 = 0
            var hasField = [Bool](repeating: false, count: documentCount)
            var matching: [Int] = []
            while !active.isEmpty {
                // The smallest current term and the sources positioned on it.
                var smallest = active[0]
                matching = [smallest]
                for slot in active.dropFirst() {
                    let term = cursors[slot].term
                    let best = cursors[smallest].term
                    if TermHash.less(term, best) {
                        smallest = slot
                        matching = [slot]
                    } else if !TermHash.less(best, term) {
                        matching.append(slot)
                    }
                }
                matching.sort()  // source order = new document order
                var started = false
                for slot in matching {
                    let source = sources[owners[slot]]
                    let map = documentMaps[owners[slot]]
                    let cursor = try source.postings.cursor(for: try cursors[slot].info())
                    var document = cursor.doc
                    while document != PostingsCursor.exhausted {
                        let new = map[Int(document)]
                        if new != Self.dropped {
                            if !started {
                                postings.startTerm(withPositions: withPositions)
                                started = true
                            }
                            if withPositions {
                                try cursor.positions(into: &positions)
                                positions.withUnsafeBufferPointer { buffer in
                                    postings.add(
                                        doc: new, frequency: cursor.frequency, norm: normBytes[number][Int(new)],
                                        positions: buffer)
                                }
                            } else {
                                postings.add(doc: new, frequency: cursor.frequency, norm: keywordNorm, positions: nil)
                            }
                            hasField[Int(new)] = true
                        }
                        document = try cursor.next()
                    }
                }
                if started {
                    let info = postings.finishTerm()
                    dictionary.add(term: cursors[smallest].term, info: info)
                    sumTotal += info.totalTermFrequency
                    sumDocuments += UInt64(info.documentFrequency)
                    termCount += 1
                }
                for slot in matching where !(try cursors[slot].next()) {
                    active.removeAll { $0 == slot }
                }
            }
            dictionary.finishField()
            statistics.append(
                SegmentInfo.FieldStatistics(
                    field: UInt32(number),
                    documentCount: UInt64(hasField.reduce(0) { $0 + ($1 ? 1 : 0) }),
                    sumTotalTermFrequency: sumTotal,
                    sumDocumentFrequency: sumDocuments,
                    termCount: termCount
                )
            )
        }
        try postings.finish(sync: true)
        try dictionary.finish(sync: true)
        return statistics
    }

    private func mergeColumns(
        _ sources: [SegmentReader],
        documentMaps: [[UInt32]],
        documentCount: Int,
        path: String,
        target: SegmentID
    ) throws(IndexError) {
        let columns = try ColumnsWriter(path: path, segment: target, docCount: documentCount)
        for (number, field) in schema.fields.enumerated() {
            switch field.type {
            case .text:
                continue
            case .keyword:
                guard schema.hasColumn(number) else { continue }
                var builder = KeywordColumnBuilder(field: UInt32(number))
                for (source, map) in zip(sources, documentMaps) {
                    guard let column = source.columns.keywordColumn(field: UInt32(number)) else { continue }
                    for (old, new) in map.enumerated() where new != Self.dropped {
                        for ordinal in column.ordinals(UInt32(old)) {
                            builder.add(column.valueBytes(forOrdinal: Int(ordinal)), doc: new)
                        }
                    }
                }
                try columns.add(builder)
            case .int64, .date, .double:
                let valueType = NumericValueType(field.type)
                var builder = NumericColumnBuilder(field: UInt32(number), valueType: valueType)
                for (source, map) in zip(sources, documentMaps) {
                    guard let column = source.columns.numericColumn(field: UInt32(number)) else { continue }
                    for (old, new) in map.enumerated() where new != Self.dropped {
                        for value in column.values(UInt32(old)) {
                            if valueType == .double {
                                builder.add(double: SortableDouble.double(value), doc: new)
                            } else {
                                builder.add(value, doc: new)
                            }
                        }
                    }
                }
                try columns.add(builder)
            }
        }
        try columns.finish(sync: true)
    }
}
