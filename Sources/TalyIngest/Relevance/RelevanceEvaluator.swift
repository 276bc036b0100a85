import Foundation
import TalyIndex

/// Runs a ``RelevanceCollection`` through the engine as Anserini runs its regression
/// collections: every document indexed in one text field, every query a bag of words (an OR of
/// its analyzed terms, a repeated term weighted by its count), BM25, the top `depth` hits.
public struct RelevanceEvaluator: Sendable {
    /// The analyzer of the indexed field (and so of the queries).
    public var analyzer: AnalyzerKind
    /// BM25's parameters.
    public var bm25: BM25Parameters
    /// Hits kept per query.
    public var depth: Int

    /// The text field everything is indexed in.
    static let field = "contents"

    /// An evaluator with Anserini's published CACM settings by default: Lucene's English analyzer
    /// with the Porter stemmer, k1 = 0.9, b = 0.4, 1,000 hits per query.
    public init(
        analyzer: AnalyzerKind = .englishPorter, bm25: BM25Parameters = BM25Parameters(k1: 0.9, b: 0.4),
        depth: Int = 1000
    ) {
        precondition(depth >= 1, "the depth must be at least 1")
        self.analyzer = analyzer
        self.bm25 = bm25
        self.depth = depth
    }

    /// Indexes `collection` into the empty (or absent) directory `indexDirectory` and searches
    /// every topic; a topic whose text has no indexable term gets no ranking.
    public func run(_ collection: RelevanceCollection, indexDirectory: String) throws(RelevanceError) -> RelevanceRun {
        let reader = try buildIndex(collection.documents, directory: indexDirectory)
        let ids = try documentIDs(reader)
        let searcher = IndexSearcher(reader: reader, bm25: bm25)
        let queryAnalyzer: any Analyzer
        do {
            queryAnalyzer = try analyzer.makeAnalyzer()
        } catch {
            throw RelevanceError(location: "analyzer \(analyzer.rawValue)", problem: "cannot be created: \(error)")
        }
        var rankings: [RelevanceRun.Ranking] = []
        for topic in collection.topics {
            let query: Query
            do {
                query = try Self.bagOfWords(topic.text, field: Self.field, analyzer: queryAnalyzer)
            } catch {
                throw RelevanceError(location: "query \(topic.id)", problem: "cannot be analyzed: \(error)")
            }
            if query == .matchNone { continue }
            let top: TopHits
            do {
                top = try searcher.search(query, limit: depth)
            } catch {
                throw RelevanceError(location: "query \(topic.id)", problem: error.description)
            }
            let hits = top.hits.map { RelevanceRun.Hit(document: ids[$0.segment][Int($0.document)], score: $0.score) }
            rankings.append(RelevanceRun.Ranking(topic: topic.id, hits: hits))
        }
        return RelevanceRun(rankings: rankings)
    }

    /// Anserini's bag-of-words query: the analyzed terms of `text` as optional clauses on
    /// `field`, a term occurring n times boosted n (Lucene sums the clauses' scores), or
    /// ``Query/matchNone`` when no term is left.
    ///
    /// Each clause holds the token's original text, which the searcher analyzes back into the
    /// same term; the stemmed term itself could stem again into something else.
    public static func bagOfWords(_ text: String, field: String, analyzer: any Analyzer) throws(AnalysisError)
        -> Query
    {
        let tokens = try analyzer.tokens(of: text)
        let utf8 = Array(text.utf8)
        var firstSource: [String: String] = [:]
        var counts: [String: Int] = [:]
        var order: [String] = []
        for index in tokens.indices {
            let term = tokens.term(at: index)
            if counts[term] == nil {
                order.append(term)
                firstSource[term] = String(decoding: utf8[tokens[index].sourceRange], as: UTF8.self)
            }
            counts[term, default: 0] += 1
        }
        guard !order.isEmpty else { return .matchNone }
        let clauses = order.map { term -> Query in
            let leaf = Query.term(field: field, text: firstSource[term] ?? term)
            let count = counts[term] ?? 1
            return count == 1 ? leaf : .boost(leaf, Float(count))
        }
        return .any(clauses)
    }

    private func buildIndex(_ documents: [RelevanceCollection.Document], directory: String) throws(RelevanceError)
        -> IndexReader
    {
        let schema: Schema
        do {
            schema = try Schema(
                fields: [
                    .init("id", .keyword(stored: true, multiValued: false)),
                    .init(Self.field, .text(analyzer: analyzer, stored: false)),
                ],
                idField: "id")
        } catch {
            throw RelevanceError(location: "schema", problem: error.description)
        }
        let batch = documents.map { Document(["id": .keyword([$0.id]), Self.field: .text($0.text)]) }
        // One thread and a RAM budget far above these collections: one segment, so equal scores
        // tie in document order.
        let problems: [DocumentError?]
        do throws(IndexError) {
            let writer = try IndexWriter(directory: directory, schema: schema)
            problems = try writer.add(batch)
            try writer.commit()
        } catch {
            throw RelevanceError(location: directory, problem: "cannot build the index: \(error)")
        }
        if let index = problems.firstIndex(where: { $0 != nil }), let problem = problems[index] {
            throw RelevanceError(location: "document \(documents[index].id)", problem: problem.description)
        }
        do {
            return try IndexReader.open(directory: directory)
        } catch {
            throw RelevanceError(location: directory, problem: "cannot open the index: \(error)")
        }
    }

    /// Every document's id, by segment and document number.
    private func documentIDs(_ reader: IndexReader) throws(RelevanceError) -> [[String]] {
        var ids: [[String]] = []
        for segment in reader.segments {
            var segmentIDs: [String] = []
            for document in 0..<segment.documentCount {
                do {
                    let stored = try segment.storedFields(document)
                    guard case .keyword(let values)? = stored["id"], let id = values.first else {
                        throw RelevanceError(location: "document \(document)", problem: "has no stored id")
                    }
                    segmentIDs.append(id)
                } catch let error as RelevanceError {
                    throw error
                } catch {
                    throw RelevanceError(location: "document \(document)", problem: "cannot be read: \(error)")
                }
            }
            ids.append(segmentIDs)
        }
        return ids
    }
}
