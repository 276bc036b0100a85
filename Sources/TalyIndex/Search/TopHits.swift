/// One hit: the document's address in the snapshot and its score.
public struct SearchHit: Hashable, Sendable {
    /// Index of the segment in ``IndexReader/segments``.
    public var segment: Int
    /// The document id inside that segment.
    public var document: UInt32
    /// The BM25 score (Lucene 9's `BM25Similarity`).
    public var score: Float

    /// A hit from its parts.
    public init(segment: Int, document: UInt32, score: Float) {
        self.segment = segment
        self.document = document
        self.score = score
    }
}

/// The best hits of a search, best first, with the exact number of matches when it was asked for.
///
/// Order: score descending; equal scores by (segment, document) ascending, i.e. the older document
/// first, as Lucene's `TopScoreDocCollector` breaks ties by doc id.
public struct TopHits: Hashable, Sendable {
    /// At most `limit` hits, best first.
    public var hits: [SearchHit]
    /// The number of live documents matching the query, when the search was asked to count them.
    public var totalCount: Int?

    /// Hits and an optional total.
    public init(hits: [SearchHit], totalCount: Int?) {
        self.hits = hits
        self.totalCount = totalCount
    }
}
