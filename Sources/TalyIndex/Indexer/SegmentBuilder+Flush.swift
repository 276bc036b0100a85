/// Writing a builder's documents as the files of one immutable segment.
extension SegmentBuilder {
    /// Writes every file of segment `segment` into `directory`, each fsynced so a later manifest
    /// may name it, and returns the segment's metadata. The builder is left as it was; call
    /// ``reset()`` afterwards.
    func flush(directory: String, segment: SegmentID, compressionLevel: Int32) throws(IndexError) -> SegmentInfo {
        precondition(documentCount > 0, "an empty builder has nothing to flush")
        let path = { (kind: IndexFileKind) in SegmentInfo.path(directory: directory, segment: segment, kind: kind) }
        let docCount = Int(documentCount)

        // Norms first: the postings writer records each block's competitive (frequency, norm) pairs.
        var norms = FieldNormsWriter(docCount: docCount)
        var normBytes: [[UInt8]] = Array(repeating: [], count: schema.fields.count)
        for (number, field) in schema.fields.enumerated() {
            guard case .text = field.type else { continue }
            normBytes[number] = fieldLengths.values(field: number).map { SmallFloat.intToByte4($0) }
            norms.setNorms(normBytes[number], field: UInt32(number))
        }
        try norms.write(to: path(.fieldNorms), segment: segment, sync: true)

        let (statistics, sortedTermIDs) = try writeInvertedFields(
            postingsPath: path(.postings),
            positionsPath: path(.positions),
            termsPath: path(.termDictionary),
            segment: segment,
            normBytes: normBytes
        )
        try writeColumns(path: path(.columns), segment: segment, sortedTermIDs: sortedTermIDs)

        let store = try StoredDocumentsWriter(path: path(.storedDocuments), segment: segment, level: compressionLevel)
        try storedBytes.withIndexBytes { bytes throws(IndexError) in
            var start = 0
            for end in storedEnds {
                try store.add(UnsafeRawBufferPointer(rebasing: bytes[start..<Int(end)]))
                start = Int(end)
            }
        }
        try store.finish(sync: true)

        let info = SegmentInfo(
            id: segment,
            documentCount: documentCount,
            schemaFieldCount: schema.fields.count,
            fields: statistics
        )
        try info.write(directory: directory, sync: true)
        return info
    }

    /// Writes the term dictionary, postings and positions of every indexed field; returns their
    /// statistics and, per field number, its term ids in byte order for a keyword column (empty
    /// for other fields).
    private func writeInvertedFields(
        postingsPath: String,
        positionsPath: String,
        termsPath: String,
        segment: SegmentID,
        normBytes: [[UInt8]]
    ) throws(IndexError) -> (statistics: [SegmentInfo.FieldStatistics], sortedTermIDs: [[UInt32]]) {
        var sortedTermIDs: [[UInt32]] = Array(repeating: [], count: schema.fields.count)
        let postings = try PostingsWriter(postingsPath: postingsPath, positionsPath: positionsPath, segment: segment)
        let dictionary = try TermDictionaryWriter(path: termsPath, segment: segment)
        // Keyword fields carry no norms; they score as fields of length 1.
        let keywordNorm = SmallFloat.intToByte4(1)
        var positions = [UInt32](repeating: 0, count: 256)
        var statistics: [SegmentInfo.FieldStatistics] = []
        for (number, field) in schema.fields.enumerated() where schema.isIndexed(number) {
            guard let inverter = inverterPointer(field: number) else { continue }
            let withPositions = inverter.pointee.recordsPositions
            let fieldNorms = normBytes[number]
            dictionary.startField(UInt32(number))
            var sumTotal: UInt64 = 0
            var sumDocuments: UInt64 = 0
            let termIDs = inverter.pointee.sortedTermIDs()
            if case .keyword = field.type, schema.hasColumn(number) { sortedTermIDs[number] = termIDs }
            for termID in termIDs {
                postings.startTerm(withPositions: withPositions)
                var reader = inverter.pointee.postings(termID, arena: arena.pointee)
                while reader.next() {
                    let frequency = Int(reader.frequency)
                    let norm = withPositions ? fieldNorms[Int(reader.document)] : keywordNorm
                    if withPositions {
                        if frequency > positions.count { positions = [UInt32](repeating: 0, count: frequency * 2) }
                        positions.withUnsafeMutableBufferPointer { buffer in
                            reader.readPositions(into: buffer.baseAddress!)
                            postings.add(
                                doc: reader.document,
                                frequency: reader.frequency,
                                norm: norm,
                                positions: UnsafeBufferPointer(rebasing: buffer[0..<frequency])
                            )
                        }
                    } else {
                        postings.add(doc: reader.document, frequency: reader.frequency, norm: norm, positions: nil)
                    }
                }
                let info = postings.finishTerm()
                sumTotal += info.totalTermFrequency
                sumDocuments += UInt64(info.documentFrequency)
                dictionary.add(term: inverter.pointee.terms.term(Int(termID)), info: info)
            }
            dictionary.finishField()
            statistics.append(
                SegmentInfo.FieldStatistics(
                    field: UInt32(number),
                    documentCount: UInt64(documentsWithField(number)),
                    sumTotalTermFrequency: sumTotal,
                    sumDocumentFrequency: sumDocuments,
                    termCount: UInt64(termIDs.count)
                )
            )
        }
        try postings.finish(sync: true)
        try dictionary.finish(sync: true)
        return (statistics, sortedTermIDs)
    }

    /// Documents with at least one token (text) or value (keyword) in field `number`.
    private func documentsWithField(_ number: Int) -> Int {
        if case .text = schema.fields[number].type {
            return fieldLengths.values(field: number).reduce(0) { $0 + ($1 > 0 ? 1 : 0) }
        }
        let offsets = keywordOffsets.values(field: number)
        var count = 0
        for document in 0..<Int(documentCount) where offsets[document + 1] > offsets[document] { count += 1 }
        return count
    }

    private func writeColumns(path: String, segment: SegmentID, sortedTermIDs: [[UInt32]]) throws(IndexError) {
        let columns = try ColumnsWriter(path: path, segment: segment, docCount: Int(documentCount))
        for (number, field) in schema.fields.enumerated() {
            switch field.type {
            case .text:
                continue
            case .keyword:
                guard schema.hasColumn(number), let inverter = inverterPointer(field: number) else { continue }
                let offsets = keywordOffsets.values(field: number)
                var documents: [UInt32] = []
                documents.reserveCapacity(keywordTermIDs.count(field: number))
                for document in 0..<Int(documentCount) {
                    for _ in Int(offsets[document])..<Int(offsets[document + 1]) { documents.append(UInt32(document)) }
                }
                var builder = KeywordColumnBuilder(
                    field: UInt32(number),
                    distinctValues: (0..<inverter.pointee.terms.count).map { Array(inverter.pointee.terms.term($0)) },
                    documents: documents,
                    valueIDs: keywordTermIDs.values(field: number)
                )
                if sortedTermIDs[number].count == inverter.pointee.terms.count {
                    builder.idsInByteOrder = sortedTermIDs[number]
                }
                try columns.add(builder)
            case .int64, .date, .double:
                let valueType = NumericValueType(field.type)
                var builder = NumericColumnBuilder(field: UInt32(number), valueType: valueType)
                let values = numericValues.values(field: number)
                for (document, present) in numericPresent.values(field: number).enumerated() where present {
                    if valueType == .double {
                        builder.add(
                            double: Double(bitPattern: UInt64(bitPattern: values[document])), doc: UInt32(document))
                    } else {
                        builder.add(values[document], doc: UInt32(document))
                    }
                }
                try columns.add(builder)
            }
        }
        try columns.finish(sync: true)
    }
}
