import Foundation
import TalyIndex
import TalyTestSupport
import Testing

@testable import TalyIngest

@Suite("Relevance evaluation")
struct RelevanceEvaluatorTests {
    @Test("measures follow trec_eval on a hand-checked run")
    func handCheckedMeasures() {
        let judgments = RelevanceJudgments(grades: [
            "1": ["a": 1, "c": 2, "x": 1, "z": 0],
            "2": ["b": 3],
            "3": ["a": 0],  // no relevant document: not evaluated
            "4": ["a": 1],  // no ranking: not evaluated (trec_eval without -c)
        ])
        let run = RelevanceRun(rankings: [
            // Ties on score are broken by id descending: c, then a, then b.
            .init(
                topic: "1",
                hits: [.init(document: "a", score: 2), .init(document: "b", score: 1), .init(document: "c", score: 2)]),
            .init(topic: "2", hits: [.init(document: "a", score: 5), .init(document: "b", score: 4)]),
            .init(topic: "3", hits: [.init(document: "a", score: 1)]),
        ])
        let measures = run.measures(against: judgments)
        #expect(measures.evaluatedQueries == 2)
        // Query 1: relevant c@1, a@2, x never retrieved: AP = (1/1 + 2/2) / 3. Query 2: b@2: AP = 1/2.
        #expect(abs(measures.meanAveragePrecision - (2.0 / 3 + 0.5) / 2) < 1e-12)
        #expect(abs(measures.precisionAt10 - (2.0 / 10 + 1.0 / 10) / 2) < 1e-12)
        #expect(abs(measures.precisionAt30 - (2.0 / 30 + 1.0 / 30) / 2) < 1e-12)
        // Query 1: DCG = 2/log2(2) + 1/log2(3), ideal 2, 1, 1. Query 2: DCG = 3/log2(3), ideal 3.
        let ndcg1 = (2 + 1 / log2(3.0)) / (2 + 1 / log2(3.0) + 1 / log2(4.0))
        let ndcg2 = (3 / log2(3.0)) / 3
        #expect(abs(measures.ndcgAt10 - (ndcg1 + ndcg2) / 2) < 1e-12)
    }

    @Test("the TREC run format numbers hits from 1 and keeps full scores")
    func trecFormat() {
        let run = RelevanceRun(rankings: [
            .init(
                topic: "7", hits: [.init(document: "CACM-0002", score: 12.5), .init(document: "CACM-0001", score: 0.1)])
        ])
        #expect(run.trecFormat(tag: "t") == "7 Q0 CACM-0002 1 12.5 t\n7 Q0 CACM-0001 2 0.1 t\n")
    }

    @Test("a bag-of-words query has one clause per analyzed term, repeated terms boosted by their count")
    func bagOfWords() throws {
        let analyzer = try EnglishAnalyzer(stemming: .porter)
        let query = try RelevanceEvaluator.bagOfWords(
            "The cats and the Cat's (TSS)", field: "contents", analyzer: analyzer)
        #expect(
            query == .any([.boost(.term(field: "contents", text: "cats"), 2), .term(field: "contents", text: "TSS")]))
        #expect(try RelevanceEvaluator.bagOfWords("the of and", field: "contents", analyzer: analyzer) == .matchNone)
    }

    @Test("collection files with a bad line are rejected with the file and line")
    func badLines() {
        #expect(throws: RelevanceError(location: "queries.tsv line 2", problem: "expected \"qid<TAB>text\"")) {
            try RelevanceCollection.parseTopics("1\tfine\nno tab here\n", file: "queries.tsv")
        }
        #expect(
            throws: RelevanceError(
                location: "qrels.txt line 1", problem: "expected \"qid iter docid grade\" (grade an integer)")
        ) {
            try RelevanceJudgments(trecQrels: "1 0 d x\n", file: "qrels.txt")
        }
        #expect(throws: RelevanceError.self) {
            try RelevanceCollection.parseDocuments("{\"id\": \"a\"}\n{\"title\": \"no id\"}\n", file: "docs.jsonl")
        }
    }

    /// Anserini's published CACM figure (BM25 k1 = 0.9, b = 0.4, Lucene's English analyzer,
    /// 1,000 hits): MAP 0.3123 (`../shared/data/cacm/README.md`).
    @Test("CACM reproduces Anserini's published BM25 MAP within 0.005")
    func cacmMatchesAnserini() throws {
        let shared = try #require(TestEnvironment.sharedDirectory, "the shared material (../shared) is missing")
        let collection = try RelevanceCollection.load(directory: shared.appendingPathComponent("data/cacm").path)
        #expect(collection.documents.count == 3204)
        #expect(collection.topics.count == 64)
        let directory = try TemporaryDirectory()
        let run = try RelevanceEvaluator().run(collection, indexDirectory: directory.path("index"))
        let measures = run.measures(against: collection.judgments)
        print(
            "CACM: MAP \(measures.meanAveragePrecision), P@30 \(measures.precisionAt30), queries \(measures.evaluatedQueries)"
        )
        #expect(measures.evaluatedQueries == 52)
        #expect(abs(measures.meanAveragePrecision - 0.3123) <= 0.005)
        #expect(abs(measures.precisionAt30 - 0.1942) <= 0.005)
    }
}
