import Foundation

/// Ranked results for every query of a collection: what a TREC run file holds.
public struct RelevanceRun: Sendable, Hashable {
    /// One retrieved document and its score.
    public struct Hit: Sendable, Hashable {
        /// The document's id.
        public var document: String
        /// The engine's score.
        public var score: Float

        /// A hit for `document` scored `score`.
        public init(document: String, score: Float) {
            self.document = document
            self.score = score
        }
    }

    /// The hits of one query, best first.
    public struct Ranking: Sendable, Hashable {
        /// The query's id.
        public var topic: String
        /// The retrieved documents, best first.
        public var hits: [Hit]

        /// The ranking `hits` of `topic`.
        public init(topic: String, hits: [Hit]) {
            self.topic = topic
            self.hits = hits
        }
    }

    /// One ranking per query, in query order; a query that retrieved nothing has no ranking.
    public var rankings: [Ranking]

    /// A run of `rankings`.
    public init(rankings: [Ranking]) {
        self.rankings = rankings
    }

    /// The run in TREC format, `qid Q0 docid rank score tag` per line.
    ///
    /// Scores are written in full (shortest round-trip form): trec_eval re-sorts by score, so
    /// rounding them would turn distinct scores into ties broken by document id.
    public func trecFormat(tag: String = "taly") -> String {
        var output = ""
        for ranking in rankings {
            for (index, hit) in ranking.hits.enumerated() {
                output += "\(ranking.topic) Q0 \(hit.document) \(index + 1) \(hit.score) \(tag)\n"
            }
        }
        return output
    }

    /// The run's effectiveness against `judgments`, with trec_eval 9's semantics (as
    /// `../shared/bench/relevance/trec_eval_lite.py` without `-c`): each ranking re-sorted by
    /// score descending, ties by document id descending; relevant means a grade above 0, and
    /// nDCG's gain is the grade; the mean is over judged queries with a relevant document that
    /// the run has a ranking for.
    public func measures(against judgments: RelevanceJudgments) -> RelevanceMeasures {
        var sums = RelevanceMeasures()
        for ranking in rankings {
            guard let grades = judgments.grades[ranking.topic] else { continue }
            let relevantCount = grades.values.count { $0 > 0 }
            guard relevantCount > 0 else { continue }
            let documents = Self.trecOrder(ranking.hits)
            var found = 0
            var precisionSum = 0.0
            var dcg = 0.0
            for (index, document) in documents.enumerated() {
                let grade = grades[document] ?? 0
                guard grade > 0 else { continue }
                found += 1
                precisionSum += Double(found) / Double(index + 1)
                if index < 10 { sums.precisionAt10 += 1.0 / 10 }
                if index < 30 { sums.precisionAt30 += 1.0 / 30 }
                if index < 10 { dcg += Double(grade) / log2(Double(index + 2)) }
            }
            sums.meanAveragePrecision += precisionSum / Double(relevantCount)
            let ideal = grades.values.filter { $0 > 0 }.sorted(by: >).prefix(10)
            let idealDCG = ideal.enumerated().reduce(0.0) { $0 + Double($1.element) / log2(Double($1.offset + 2)) }
            sums.ndcgAt10 += dcg / idealDCG
            sums.evaluatedQueries += 1
        }
        guard sums.evaluatedQueries > 0 else { return sums }
        let count = Double(sums.evaluatedQueries)
        sums.meanAveragePrecision /= count
        sums.precisionAt10 /= count
        sums.precisionAt30 /= count
        sums.ndcgAt10 /= count
        return sums
    }

    /// Document ids in trec_eval's order (score descending, then id descending), duplicates dropped.
    static func trecOrder(_ hits: [Hit]) -> [String] {
        let sorted = hits.sorted { ($0.score, $0.document) > ($1.score, $1.document) }
        var seen = Set<String>()
        return sorted.map(\.document).filter { seen.insert($0).inserted }
    }
}

/// The effectiveness figures of a run (means over the evaluated queries).
public struct RelevanceMeasures: Sendable, Hashable {
    /// Mean average precision over the whole ranking (trec_eval `map`).
    public var meanAveragePrecision = 0.0
    /// Precision of the first 10 hits (`P_10`).
    public var precisionAt10 = 0.0
    /// Precision of the first 30 hits (`P_30`).
    public var precisionAt30 = 0.0
    /// Normalized discounted cumulative gain of the first 10 hits, graded (`ndcg_cut_10`).
    public var ndcgAt10 = 0.0
    /// Queries the means are over.
    public var evaluatedQueries = 0

    /// Zero figures over no query.
    public init() {}
}
