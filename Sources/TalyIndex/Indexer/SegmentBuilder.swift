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
    private(set) var fieldLengths: [[UInt32]]
    /// Per keyword field number, the term ids of each document's values: document d's ids are
    /// `keywordTermIDs[f][keywordOffsets[f][d] ..< keywordOffsets[f][d + 1]]`.
    private(set) var keywordOffsets: [[UInt32]]
    private(set) var keywordTermIDs: [[UInt32]]
    /// Per numeric field number, each document's value as Int64 (doubles as their bit pattern)
    /// and whether it has one.
    private(set) var numericValues: [[Int64]]
    private(set) var numericPresent: [[Bool]]
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
        tokenBuffers = Array(repeating: TokenBuffer(), count: fieldCount)
        fieldLengths = Array(repeating: [], count: fieldCount)
        keywordOffsets = Array(repeating: [], count: fieldCount)
        keywordTermIDs = Array(repeating: [], count: fieldCount)
        numericValues = Array(repeating: [], count: fieldCount)
        numericPresent = Array(repeating: [], count: fieldCount)
        for (number, field) in schema.fields.enumerated() {
            if case .keyword = field.type { keywordOffsets[number] = [0] }
        }
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
        for lengths in fieldLengths { total += lengths.count * 4 }
        for ids in keywordTermIDs { total += ids.count * 4 }
        for offsets in keywordOffsets { total += offsets.count * 4 }
        for values in numericValues { total += values.count * 9 }
        return total
    }

    /// Adds one validated document as the next document id, tagged with the writer's operation
    /// `sequence`. On an analysis error nothing of the document is kept.
    func add(_ document: ValidatedDocument, sequence: UInt64) throws(AnalysisError) {
        // Analyze every text field first, so a failure leaves the builder untouched.
        for (number, value) in document.values.enumerated() {
            guard case .text(let text)? = value, let analyzer = analyzers[number] else { continue }
            try analyzer.analyze(text, into: &tokenBuffers[number])
        }
        let doc = documentCount
        for (number, type) in fieldTypes.enumerated() {
            switch type {
            case .text:
                var length: UInt32 = 0
                if case .text? = document.values[number] {
                    length = invert(tokenBuffers[number], field: number, document: doc)
                }
                fieldLengths[number].append(length)
            case .keyword:
                if case .keyword(let values)? = document.values[number], inverterIndex[number] >= 0 {
                    addKeywords(values, field: number, document: doc)
                }
                keywordOffsets[number].append(UInt32(keywordTermIDs[number].count))
            case .int64, .date, .double:
                let value: Int64? =
                    switch document.values[number] {
                    case .int64(let number)?: number
                    case .date(let milliseconds)?: milliseconds
                    case .double(let number)?: Int64(bitPattern: number.bitPattern)
                    default: nil
                    }
                numericValues[number].append(value ?? 0)
                numericPresent[number].append(value != nil)
            }
        }
        StoredFieldsCodec.encode(document, stored: storedFields, into: &storedBytes)
        storedEnds.append(UInt32(storedBytes.count))
        documentSequences.append(sequence)
        documentCount += 1
    }

    /// Adds the tokens of one text value; returns the field length (tokens kept).
    private func invert(_ buffer: TokenBuffer, field number: Int, document: UInt32) -> UInt32 {
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
        for number in schema.fields.indices {
            fieldLengths[number].removeAll(keepingCapacity: true)
            keywordTermIDs[number].removeAll(keepingCapacity: true)
            keywordOffsets[number].removeAll(keepingCapacity: true)
            numericValues[number].removeAll(keepingCapacity: true)
            numericPresent[number].removeAll(keepingCapacity: true)
            if case .keyword = fieldTypes[number] { keywordOffsets[number].append(0) }
        }
        storedBytes.removeAll(keepingCapacity: true)
        storedEnds.removeAll(keepingCapacity: true)
        documentSequences.removeAll(keepingCapacity: true)
    }

    private func addKeywords(_ values: [String], field number: Int, document: UInt32) {
        let inverter = inverters + inverterIndex[number]
        for (position, value) in values.enumerated() {
            var value = value
            let id = value.withUTF8 { utf8 in
                inverter.pointee.add(
                    term: UnsafeRawBufferPointer(utf8),
                    document: document,
                    position: UInt32(position),
                    arena: &arena.pointee
                )
            }
            keywordTermIDs[number].append(id)
        }
    }
}
