/// What the term dictionary records for one term of one field: its statistics and where its
/// postings and positions start. The postings format defines what the offsets point at.
public struct TermInfo: Hashable, Sendable {
    /// Number of documents containing the term (deleted ones included until a merge).
    public var documentFrequency: UInt32
    /// Sum of the term's frequencies over those documents.
    public var totalTermFrequency: UInt64
    /// Byte offset of the term's postings in the body of the `.post` file (0 for a term whose
    /// posting is ``singleton``: it has no postings bytes).
    public var postingsOffset: UInt64
    /// Byte offset of the term's positions in the body of the `.pos` file (0 when the field has
    /// no positions).
    public var positionsOffset: UInt64
    /// The one posting of a term of one document, kept in the dictionary entry instead of the
    /// `.post` file (term dictionary format 2); nil for every other term and for format 1.
    public var singleton: SingletonPosting?

    /// A term's entry.
    public init(
        documentFrequency: UInt32, totalTermFrequency: UInt64, postingsOffset: UInt64, positionsOffset: UInt64,
        singleton: SingletonPosting? = nil
    ) {
        self.documentFrequency = documentFrequency
        self.totalTermFrequency = totalTermFrequency
        self.postingsOffset = postingsOffset
        self.positionsOffset = positionsOffset
        self.singleton = singleton
    }
}

/// The posting of a term that occurs in exactly one document, inlined in its dictionary entry
/// as Lucene's pulsing codec and its "singleton doc id" do: about half of a segment's terms
/// (and every unique id) occur once, and a separate `.post` header, impact list and doc id for
/// each would cost more than the posting itself. Its frequency is the term's
/// ``TermInfo/totalTermFrequency``.
public struct SingletonPosting: Hashable, Sendable {
    /// The document.
    public var doc: UInt32
    /// The document's field-length norm byte: the term's only impact is (frequency, norm).
    public var norm: UInt8
    /// True when the term's positions are in the `.pos` file at ``TermInfo/positionsOffset``.
    public var hasPositions: Bool

    /// A posting from its parts.
    public init(doc: UInt32, norm: UInt8, hasPositions: Bool) {
        self.doc = doc
        self.norm = norm
        self.hasPositions = hasPositions
    }
}
