/// The in-RAM inverted index of one field of the segment being built: for each distinct term,
/// a stream of (doc delta, frequency) and, for text fields, a stream of position deltas, kept in
/// a shared ``ByteSliceArena``.
///
/// Stream encoding (all LEB128 varints): the doc stream holds, per document of the term, the doc
/// delta (the first one relative to 0) followed, once the document is complete, by its frequency;
/// the frequency of the term's last document lives in `frequencyInDocument` until the segment is
/// flushed. The positions stream holds, per occurrence, the delta to the previous position in the
/// same document (the first relative to 0). Documents arrive in increasing order.
struct FieldInverter: ~Copyable {
    /// Whether positions are recorded (text fields) or not (keyword fields).
    let recordsPositions: Bool
    private(set) var terms = TermHash()
    /// Everything one term's next occurrence touches, together in one cache line.
    private var states = GrowableBuffer<TermState>()

    struct TermState {
        var documents: ByteSliceArena.StreamCursor
        var positions: ByteSliceArena.StreamCursor
        var lastDocument: UInt32
        var frequencyInDocument: UInt32
        var lastPosition: UInt32
        var documentFrequency: UInt32
        var totalFrequency: UInt64
    }

    init(recordsPositions: Bool) {
        self.recordsPositions = recordsPositions
    }

    /// Bytes reserved outside the arena.
    var reservedBytes: Int { terms.reservedBytes + states.reservedBytes }

    /// Bytes the terms buffered since the last reset use outside the arena, for the RAM budget.
    var usedBytes: Int { terms.usedBytes + states.usedBytes }

    /// Records one occurrence of `term` in `document` at `position` (ignored without positions)
    /// and returns the term's id.
    @inline(__always)
    @discardableResult
    mutating func add(
        term: UnsafeRawBufferPointer,
        document: UInt32,
        position: UInt32,
        arena: inout ByteSliceArena
    ) -> UInt32 {
        let (id, isNew) = terms.intern(term)
        if isNew {
            var documents = arena.startStream()
            arena.appendVarUInt32(document, to: &documents)
            var positions = documents
            if recordsPositions {
                positions = arena.startStream()
                arena.appendVarUInt32(position, to: &positions)
            }
            states.append(
                TermState(
                    documents: documents,
                    positions: positions,
                    lastDocument: document,
                    frequencyInDocument: 1,
                    lastPosition: position,
                    documentFrequency: 1,
                    totalFrequency: 1
                )
            )
            return id
        }
        let state = states.base + Int(id)
        state.pointee.totalFrequency &+= 1
        if state.pointee.lastDocument == document {
            state.pointee.frequencyInDocument &+= 1
            if recordsPositions {
                precondition(position >= state.pointee.lastPosition, "positions must not decrease within a document")
                arena.appendVarUInt32(position &- state.pointee.lastPosition, to: &state.pointee.positions)
                state.pointee.lastPosition = position
            }
            return id
        }
        precondition(document > state.pointee.lastDocument, "documents must arrive in increasing order")
        arena.appendVarUInt32(state.pointee.frequencyInDocument, to: &state.pointee.documents)
        arena.appendVarUInt32(document &- state.pointee.lastDocument, to: &state.pointee.documents)
        state.pointee.lastDocument = document
        state.pointee.frequencyInDocument = 1
        state.pointee.documentFrequency &+= 1
        if recordsPositions {
            arena.appendVarUInt32(position, to: &state.pointee.positions)
            state.pointee.lastPosition = position
        }
        return id
    }

    /// Term ids in dictionary order.
    func sortedTermIDs() -> [UInt32] { terms.sortedIDs() }

    /// Statistics of term `id`.
    func statistics(_ id: UInt32) -> (documentFrequency: UInt32, totalFrequency: UInt64) {
        (states[Int(id)].documentFrequency, states[Int(id)].totalFrequency)
    }

    /// A reader over the postings of term `id`; valid until the arena or this inverter changes.
    func postings(_ id: UInt32, arena: borrowing ByteSliceArena) -> InvertedPostingsReader {
        let state = states[Int(id)]
        return InvertedPostingsReader(
            documents: arena.reader(for: state.documents),
            positions: recordsPositions ? arena.reader(for: state.positions) : nil,
            remaining: state.documentFrequency,
            lastFrequency: state.frequencyInDocument
        )
    }

    /// Forgets every term, keeping memory for the next segment.
    mutating func reset() {
        terms.reset()
        states.removeAll()
    }
}

/// Decodes one term's in-RAM postings in document order.
struct InvertedPostingsReader {
    private var documents: ByteSliceArena.StreamReader
    private var positions: ByteSliceArena.StreamReader?
    private var remaining: UInt32
    private let lastFrequency: UInt32
    /// The current document (valid after `next()` returned true).
    private(set) var document: UInt32 = 0
    /// The term's frequency in the current document.
    private(set) var frequency: UInt32 = 0

    init(
        documents: ByteSliceArena.StreamReader,
        positions: ByteSliceArena.StreamReader?,
        remaining: UInt32,
        lastFrequency: UInt32
    ) {
        self.documents = documents
        self.positions = positions
        self.remaining = remaining
        self.lastFrequency = lastFrequency
    }

    /// Moves to the next document; false when there is none.
    @inline(__always)
    mutating func next() -> Bool {
        guard remaining > 0 else { return false }
        document &+= documents.readVarUInt32()
        remaining -= 1
        frequency = remaining == 0 ? lastFrequency : documents.readVarUInt32()
        return true
    }

    /// Writes the current document's positions (``frequency`` of them) into `buffer`.
    @inline(__always)
    mutating func readPositions(into buffer: UnsafeMutablePointer<UInt32>) {
        var position: UInt32 = 0
        for index in 0..<Int(frequency) {
            position &+= positions!.readVarUInt32()
            buffer[index] = position
        }
    }
}
