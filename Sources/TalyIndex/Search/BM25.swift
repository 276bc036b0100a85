import Foundation

/// The parameters of BM25 (Robertson et al., TREC-3 1994) as Lucene's `BM25Similarity` takes them.
public struct BM25Parameters: Hashable, Sendable {
    /// Term-frequency saturation (Lucene's default 1.2).
    public var k1: Float
    /// Length normalization, 0...1 (Lucene's default 0.75).
    public var b: Float

    /// Parameters; `k1` must be finite and non-negative, `b` in 0...1 (as Lucene checks).
    public init(k1: Float = 1.2, b: Float = 0.75) {
        precondition(k1.isFinite && k1 >= 0, "k1 must be finite and non-negative")
        precondition(b >= 0 && b <= 1, "b must be within 0...1")
        self.k1 = k1
        self.b = b
    }
}

/// The statistics of one field over every segment of a snapshot, as Lucene's `CollectionStatistics`.
///
/// Deleted documents still count (as in Lucene) until a merge removes them: segment statistics are
/// written once, and recomputing them per commit would cost a pass over the postings.
struct FieldStatistics: Sendable {
    /// Documents with the field (Lucene's `docCount`, BM25's N).
    var documentCount: UInt64 = 0
    /// Tokens in the field over all documents.
    var sumTotalTermFrequency: UInt64 = 0
}

/// A BM25 scorer for one query leaf: Lucene 9's `BM25Similarity.BM25Scorer`, computed in `Float` exactly
/// as Lucene does so scores are bit-identical.
///
/// `weight = boost * idf`; `cache[norm] = 1 / (k1 * ((1 - b) + b * dl / avgdl))` with `dl` the
/// `SmallFloat.byte4ToInt` length of the norm byte; `score = weight - weight / (1 + freq * cache[norm])`
/// (Lucene's monotone rewrite of `weight * freq / (freq + k1 * (1 - b + b * dl / avgdl))`, the (k1 + 1)
/// factor dropped since Lucene 8).
struct BM25Weight: Sendable {
    /// `boost * idf`.
    let weight: Float
    /// The 256 length factors, indexed by norm byte.
    let cache: [Float]
    /// The parts of `weight` and `cache`, kept for ``IndexSearcher/explain(_:segment:document:)``.
    let boost: Float
    let idf: Float
    let averageLength: Float
    let parameters: BM25Parameters

    /// A scorer for a leaf whose idf is `idf` in a field with `statistics`; `lengthFactors`, when given,
    /// must be ``lengthFactors(statistics:parameters:)`` of the same field (a searcher computes them once per
    /// field instead of 256 divisions per query term).
    init(
        boost: Float, idf: Float, statistics: FieldStatistics, parameters: BM25Parameters,
        lengthFactors: [Float]? = nil
    ) {
        weight = boost * idf
        self.boost = boost
        self.idf = idf
        self.parameters = parameters
        averageLength = Self.averageLength(statistics)
        cache = lengthFactors ?? Self.lengthFactors(statistics: statistics, parameters: parameters)
    }

    /// Lucene's average field length: (float) (sumTotalTermFreq / (double) docCount).
    static func averageLength(_ statistics: FieldStatistics) -> Float {
        Float(Double(statistics.sumTotalTermFrequency) / Double(max(statistics.documentCount, 1)))
    }

    /// The 256 length factors of a field, indexed by norm byte (the scorer's `cache`).
    static func lengthFactors(statistics: FieldStatistics, parameters: BM25Parameters) -> [Float] {
        let avgdl = averageLength(statistics)
        let k1 = parameters.k1
        let b = parameters.b
        return SmallFloat.decodeTable.map { length in 1 / (k1 * ((1 - b) + b * Float(length) / avgdl)) }
    }

    /// Lucene's `idf`: `(float) ln(1 + (docCount - docFreq + 0.5) / (docFreq + 0.5))`, in Double then rounded.
    static func idf(documentFrequency: UInt64, documentCount: UInt64) -> Float {
        Float(log(1 + (Double(documentCount) - Double(documentFrequency) + 0.5) / (Double(documentFrequency) + 0.5)))
    }

    /// The score of a document with term frequency `frequency` and norm byte `norm`.
    @inline(__always)
    func score(frequency: Float, norm: UInt8) -> Float {
        let normInverse = cache[Int(norm)]
        return weight - weight / (1 + frequency * normInverse)
    }
}
