/// What the term dictionary records for one term of one field: its statistics and where its
/// postings and positions start. The postings format defines what the offsets point at.
public struct TermInfo: Hashable, Sendable {
    /// Number of documents containing the term (deleted ones included until a merge).
    public var documentFrequency: UInt32
    /// Sum of the term's frequencies over those documents.
    public var totalTermFrequency: UInt64
    /// Byte offset of the term's postings in the body of the `.post` file.
    public var postingsOffset: UInt64
    /// Byte offset of the term's positions in the body of the `.pos` file (0 when the field has
    /// no positions).
    public var positionsOffset: UInt64

    /// A term's entry.
    public init(documentFrequency: UInt32, totalTermFrequency: UInt64, postingsOffset: UInt64, positionsOffset: UInt64)
    {
        self.documentFrequency = documentFrequency
        self.totalTermFrequency = totalTermFrequency
        self.postingsOffset = postingsOffset
        self.positionsOffset = positionsOffset
    }
}
