/// Accumulates documents in RAM for one segment: inverted fields, field lengths, column values
/// and stored payloads. One builder per indexing thread; a full builder is flushed to segment
/// files (see `SegmentBuilder+Flush.swift`) and reset for the next segment.
///
/// Not thread-safe and not `Sendable`: it owns analyzers holding ICU and Snowball handles.
final class SegmentBuilder {
    let schema: Schema
    /// Per field number: its type and whether its value is stored. Read per document instead of
    /// `schema.fields[number]`, whose copy retains and releases the field's name every time.
    private let fieldTypes: [FieldType]
    private let storedFields: [Bool]
    /// Per field number: the index of its inverter in `inverters`, or -1 when not indexed.
    private let inverterIndex: [Int]
    /// Inverters and the arena live behind pointers so the per-token path mutates them without
    /// the dynamic exclusivity checks class properties would need.
    let inverters: UnsafeMutablePointer<FieldInverter>
    let inverterCount: Int
    let arena: UnsafeMutablePointer<ByteSliceArena>
    private let analyzers: [(any Analyzer)?]
    /// One reusable token buffer per field, so analysis stops allocating once warm.
    private var tokenBuffers: [TokenBuffer]

    /// Documents added so far; the next document's id.
    private(set) var documentCount: UInt32 = 0
    /// Per text field number, the token count of every document (0 when absent).
    let fieldLengths: FieldBuffers<UInt32>
    /// Per keyword field number, the term ids of each document's values: document d's ids are
    /// `keywordTermIDs[f][keywordOffsets[f][d] ..< keywordOffsets[f][d + 1]]`.
    let keywordOffsets: FieldBuffers<UInt32>
    let keywordTermIDs: FieldBuffers<UInt32>
    /// Per numeric field number, each document's value as Int64 (doubles as their bit pattern)
    /// and whether it has one.
    let numericValues: FieldBuffers<Int64>
    let numericPresent: FieldBuffers<Bool>
    /// The stored payloads of every document back to back, and where each ends.
    private(set) var storedBytes: [UInt8] = []
    private(set) var storedEnds: [UInt32] = []
    /// The writer's operation sequence number of each document, which decides whether a delete
    /// by id (with its own sequence number) applies to it: only to documents added before it.
    private(set) var documentSequences: [UInt64] = []

    init(schema: Schema) throws(AnalysisError) {
        self.schema = schema
        var inverterIndex: [Int] = []
        var analyzers: [(any Analyzer)?] = []
        var count = 0
        for (number, field) in schema.fields.enumerated() {
            switch field.type {
            case .text(let analyzer, _):
                inverterIndex.append(count)
                analyzers.append(try analyzer.makeAnalyzer())
                count += 1
            case .keyword where !schema.isIndexed(number):
                inverterIndex.append(-1)
                analyzers.append(nil)
            case .keyword:
                inverterIndex.append(count)
                analyzers.append(nil)
                count += 1
            case .int64, .double, .date:
                inverterIndex.append(-1)
                analyzers.append(nil)
            }
        }
        self.inverterIndex = inverterIndex
        fieldTypes = schema.fields.map(\.type)
        storedFields = schema.fields.map(\.type.isStored)
        self.analyzers = analyzers
        inverterCount = count
        inverters = UnsafeMutablePointer<FieldInverter>.allocate(capacity: count)
        for (number, field) in schema.fields.enumerated() where schema.isIndexed(number) {
            let index = inverterIndex[number]
            if case .text = field.type {
                (inverters + index).initialize(to: FieldInverter(recordsPositions: true))
            } else {
                (inverters + index).initialize(to: FieldInverter(recordsPositions: false))
            }
        }
        arena = UnsafeMutablePointer<ByteSliceArena>.allocate(capacity: 1)
        arena.initialize(to: ByteSliceArena())
        let fieldCount = schema.fields.count
        let types = fieldTypes
        tokenBuffers = Array(repeating: TokenBuffer(), count: fieldCount)
        fieldLengths = FieldBuffers(fieldCount: fieldCount) { if case .text = types[$0] { true } else { false } }
        let isKeyword = { (number: Int) in if case .keyword = types[number] { true } else { false } }
        keywordOffsets = FieldBuffers(fieldCount: fieldCount, used: isKeyword)
        keywordTermIDs = FieldBuffers(fieldCount: fieldCount, used: isKeyword)
        let isNumeric = { (number: Int) in !types[number].isIndexed }
        numericValues = FieldBuffers(fieldCount: fieldCount, used: isNumeric)
        numericPresent = FieldBuffers(fieldCount: fieldCount, used: isNumeric)
        for number in 0..<fieldCount where isKeyword(number) { keywordOffsets.append(0, field: number) }
        storedEnds.reserveCapacity(1024)
    }

    deinit {
        inverters.deinitialize(count: inverterCount)
        inverters.deallocate()
        arena.deinitialize(count: 1)
        arena.deallocate()
    }

    /// The inverter of indexed field `number`.
    func inverterPointer(field number: Int) -> UnsafeMutablePointer<FieldInverter>? {
        let index = inverterIndex[number]
        return index < 0 ? nil : inverters + index
    }

    /// Bytes the buffered documents use, compared with the writer's RAM budget to decide when to
    /// flush. Not the capacities: a reset keeps them, so after the first flush they stay at the
    /// budget and every later add would flush a tiny segment.
    var usedBytes: Int {
        var total = arena.pointee.usedBytes + storedBytes.count + storedEnds.count * 4 + documentSequences.count * 8
        for index in 0..<inverterCount { total += inverters[index].usedBytes }
        total += fieldLengths.usedBytes + keywordTermIDs.usedBytes + keywordOffsets.usedBytes
        total += numericValues.usedBytes + numericPresent.usedBytes
        return total
    }

    /// Adds one validated document as the next document id, tagged with the writer's operation
    /// `sequence`. On an analysis error nothing of the document is kept.
    func add(_ document: ValidatedDocument, sequence: UInt64) throws(AnalysisError) {
        try document.values.withUnsafeBufferPointer { values throws(AnalysisError) in
            try add(values, sequence: sequence)
        }
    }

    /// `add(_:sequence:)` of the document's values, read in place rather than copied out of the
    /// array (a copy of each value retained and released its string or array).
    private func add(_ values: UnsafeBufferPointer<FieldValue?>, sequence: UInt64) throws(AnalysisError) {
        // Analyze every text field first, so a failure leaves the builder untouched.
        for number in values.indices {
            guard case .text(let text)? = values[number], let analyzer = analyzers[number] else { continue }
            try analyzer.analyze(text, into: &tokenBuffers[number])
        }
        let doc = documentCount
        // Each value is read once, for its field's buffers and, when stored, its payload.
        var storedCount = 0
        var lastStored = -1
        for number in values.indices where storedFields[number] && values[number] != nil {
            storedCount += 1
            lastStored = number
        }
        storedBytes.appendVarUInt64(UInt64(storedCount))
        for number in values.indices {
            // One copy of the value for its buffers and its payload: each copy out of the buffer
            // retains and releases its string or array (the calls below could, for all the
            // compiler knows, change the memory it points into), so helpers take this one.
            let value = values[number]
            switch fieldTypes[number] {
            case .text:
                var length: UInt32 = 0
                // The token buffer in place: a copy of it retained and released its four arrays.
                if case .text? = value { length = invert(&tokenBuffers[number], field: number, document: doc) }
                fieldLengths.append(length, field: number)
            case .keyword:
                if inverterIndex[number] >= 0 { addKeywords(of: value, field: number, document: doc) }
                keywordOffsets.append(UInt32(keywordTermIDs.count(field: number)), field: number)
            case .int64, .date, .double:
                let number64: Int64? =
                    switch value {
                    case .int64(let integer)?: integer
                    case .date(let milliseconds)?: milliseconds
                    case .double(let double)?: Int64(bitPattern: double.bitPattern)
                    default: nil
                    }
                numericValues.append(number64 ?? 0, field: number)
                numericPresent.append(number64 != nil, field: number)
            }
            if storedFields[number], let value {
                StoredFieldsCodec.appendField(number, value, isLast: number == lastStored, to: &storedBytes)
            }
        }
        storedEnds.append(UInt32(storedBytes.count))
        documentSequences.append(sequence)
        documentCount += 1
    }

    /// Adds the tokens of one text value; returns the field length (tokens kept).
    private func invert(_ buffer: inout TokenBuffer, field number: Int, document: UInt32) -> UInt32 {
        let inverter = inverters + inverterIndex[number]
        let arena = self.arena
        buffer.termBytes.withUnsafeBytes { bytes in
            buffer.tokens.withUnsafeBufferPointer { tokens in
                for token in tokens {
                    let term = UnsafeRawBufferPointer(
                        start: bytes.baseAddress.map { $0 + Int(token.termStart) },
                        count: Int(token.termLength)
                    )
                    inverter.pointee.add(
                        term: term, document: document, position: token.position, arena: &arena.pointee)
                }
            }
        }
        return UInt32(buffer.tokens.count)
    }

    /// The documents of this builder whose id is `id` and that were added before operation
    /// `sequence`, oldest first, into `documents` (emptied first): what a delete of `id` issued
    /// at `sequence` removes. The caller's buffer is reused: a flush asks for every pending id.
    func documents(withID id: String, before sequence: UInt64, into documents: inout [UInt32]) {
        documents.removeAll(keepingCapacity: true)
        guard schema.idMode == .unique else { return }
        let inverter = inverters + inverterIndex[schema.idFieldNumber]
        var id = id
        id.withUTF8 { utf8 in
            guard let term = inverter.pointee.terms.lookup(UnsafeRawBufferPointer(utf8)) else { return }
            var reader = inverter.pointee.postings(term, arena: arena.pointee)
            while reader.next() {
                if documentSequences[Int(reader.document)] < sequence { documents.append(reader.document) }
            }
        }
    }

    /// Forgets every document, keeping memory for the next segment.
    func reset() {
        arena.pointee.reset()
        for index in 0..<inverterCount { inverters[index].reset() }
        documentCount = 0
        fieldLengths.removeAll()
        keywordTermIDs.removeAll()
        keywordOffsets.removeAll()
        numericValues.removeAll()
        numericPresent.removeAll()
        for number in schema.fields.indices {
            if case .keyword = fieldTypes[number] { keywordOffsets.append(0, field: number) }
        }
        storedBytes.removeAll(keepingCapacity: true)
        storedEnds.removeAll(keepingCapacity: true)
        documentSequences.removeAll(keepingCapacity: true)
    }

    /// Adds the terms of a keyword value (none when absent). The value is matched here rather
    /// than by the caller: a binding there copied the array out of the caller's copy.
    private func addKeywords(of value: FieldValue?, field number: Int, document: UInt32) {
        guard case .keyword(let values)? = value else { return }
        let inverter = inverters + inverterIndex[number]
        let arena = self.arena
        for (position, value) in values.enumerated() {
            // A native string's bytes are read where they are: `withUTF8` mutates, so it needed a
            // copy of the value (a retain and a release per value); bridged strings still take it.
            let id =
                value.utf8.withContiguousStorageIfAvailable { utf8 in
                    inverter.pointee.add(
                        term: UnsafeRawBufferPointer(utf8), document: document, position: UInt32(position),
                        arena: &arena.pointee)
                }
                ?? {
                    var copy = value
                    return copy.withUTF8 { utf8 in
                        inverter.pointee.add(
                            term: UnsafeRawBufferPointer(utf8), document: document, position: UInt32(position),
                            arena: &arena.pointee)
                    }
                }()
            keywordTermIDs.append(id, field: number)
        }
    }
}
