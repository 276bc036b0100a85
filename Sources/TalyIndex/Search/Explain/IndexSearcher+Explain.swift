/// Score explanations: the compiled plan is walked for one document, each leaf scored from its postings with
/// the same `BM25Weight` arithmetic as its scorer, booleans summed in `Double` and rounded to `Float` as
/// ``BooleanScorer`` does. A sum of `Float` scores in `Double` is exact while they span fewer than 2^29 in
/// magnitude, so the clause order (the scorer sorts required clauses by cost) does not change the result.
extension IndexSearcher {
    /// Why `hit` scores what it does for `query` (the root's value equals `hit.score` when `hit` came from
    /// searching `query` on this searcher).
    public func explain(_ query: Query, hit: SearchHit) throws(SearchError) -> Explanation {
        try explain(query, segment: hit.segment, document: hit.document)
    }

    /// Why document `document` of segment number `segment` scores what it does for `query`, or why it does
    /// not match (value 0, ``Explanation/isMatch`` false).
    public func explain(_ query: Query, segment: Int, document: UInt32) throws(SearchError) -> Explanation {
        precondition(reader.segments.indices.contains(segment), "segment \(segment) is not in the snapshot")
        precondition(document < reader.segments[segment].documentCount, "document \(document) is not in the segment")
        var compiler = QueryCompiler(searcher: self)
        let plan = try compiler.compile(query)
        guard reader.segments[segment].isLive(document) else {
            return .noMatch("document \(document) of segment \(segment) is deleted")
        }
        do throws(IndexError) {
            return try explain(plan, segment: segment, document: document)
        } catch {
            throw .index(error)
        }
    }

    private func explain(_ plan: QueryPlan, segment: Int, document: UInt32) throws(IndexError) -> Explanation {
        switch plan {
        case .none:
            return .noMatch("the query matches no document (no term of it is in the index)")
        case .constant(let score):
            return .match(score, "every document matches, with the boost as score")
        case .constantScore(let inner, let score):
            let explained = try explain(inner, segment: segment, document: document)
            guard explained.isMatch else { return .noMatch("no expanded term matches", [explained]) }
            return .match(score, "constant score (the boost): prefix or fuzzy expansion matched", [explained])
        case .term(let leaf):
            return try explain(leaf, segment: segment, document: document)
        case .phrase(let leaf):
            return try explain(leaf, segment: segment, document: document)
        case .boolean(let boolean):
            return try explain(boolean, segment: segment, document: document)
        }
    }

    private func explain(_ plan: BooleanPlan, segment: Int, document: UInt32) throws(IndexError) -> Explanation {
        var sum: Double = 0
        var details: [Explanation] = []
        for clause in plan.must {
            let explained = try explain(clause, segment: segment, document: document)
            guard explained.isMatch else { return .noMatch("no match on a required clause", [explained]) }
            sum += Double(explained.value)
            details.append(explained)
        }
        for clause in plan.filter {
            let explained = try explain(clause, segment: segment, document: document)
            guard explained.isMatch else { return .noMatch("no match on a filter clause", [explained]) }
            details.append(.match(0, "filter clause (matches without scoring)", [explained]))
        }
        for clause in plan.mustNot {
            let explained = try explain(clause, segment: segment, document: document)
            if explained.isMatch { return .noMatch("match on a prohibited clause", [explained]) }
        }
        var matchingOptional = 0
        for clause in plan.should {
            let explained = try explain(clause, segment: segment, document: document)
            guard explained.isMatch else { continue }
            matchingOptional += 1
            sum += Double(explained.value)
            details.append(explained)
        }
        if plan.must.isEmpty && plan.filter.isEmpty && matchingOptional < max(1, plan.minimumShouldMatch) {
            return .noMatch(
                "\(matchingOptional) optional clauses match, at least \(max(1, plan.minimumShouldMatch)) needed",
                details)
        }
        return .match(Float(sum), "sum of:", details)
    }

    private func explain(_ leaf: TermLeaf, segment index: Int, document: UInt32) throws(IndexError) -> Explanation {
        let segment = reader.segments[index]
        let name = "\(reader.schema.fields[Int(leaf.field)].name):\(String(decoding: leaf.term, as: UTF8.self))"
        guard let scorer = try leaf.scorer(in: segment, index: index), try scorer.advance(to: document) == document
        else {
            return .noMatch("no occurrence of \(name)")
        }
        let frequency = Float(scorer.cursor.frequency)
        let idf = idfExplanation(leaf.documentFrequency, field: leaf.field)
        return bm25Explanation(
            leaf.bm25, idf: idf, frequency: frequency, frequencyDescription: "occurrences of the term in the field",
            norm: norm(field: leaf.field, hasNorms: leaf.hasNorms, segment: segment, document: document),
            query: name, segment: index, document: document)
    }

    private func explain(_ leaf: PhraseLeaf, segment index: Int, document: UInt32) throws(IndexError) -> Explanation {
        let segment = reader.segments[index]
        var words: [String] = []
        for (term, offset) in zip(leaf.terms, leaf.offsets) {
            // Gaps left by removed words (stop words) show as "?", as Lucene prints them.
            while words.count < Int(offset) { words.append("?") }
            words.append(String(decoding: term, as: UTF8.self))
        }
        let name =
            "\(reader.schema.fields[Int(leaf.field)].name):\"\(words.joined(separator: " "))\""
            + (leaf.slop > 0 ? "~\(leaf.slop)" : "")
        guard let scorer = try leaf.scorer(in: segment, index: index), try scorer.advance(to: document) == document
        else {
            return .noMatch("no occurrence of the phrase \(name)")
        }
        var idfs: [Explanation] = []
        for (term, frequency) in zip(leaf.terms, leaf.documentFrequencies) {
            var explained = idfExplanation(frequency, field: leaf.field)
            explained.description = "idf of \"\(String(decoding: term, as: UTF8.self))\", " + explained.description
            idfs.append(explained)
        }
        return bm25Explanation(
            leaf.bm25, idf: .match(leaf.bm25.idf, "idf, sum of:", idfs), frequency: scorer.frequency,
            frequencyDescription: leaf.slop == 0
                ? "occurrences of the phrase in the field"
                : "sloppy phrase frequency: the sum of 1 / (1 + match length) over the matches",
            norm: norm(field: leaf.field, hasNorms: leaf.hasNorms, segment: segment, document: document),
            query: name, segment: index, document: document)
    }

    /// The norm byte a scorer of the field uses for `document` (1, a length of 1, without norms).
    private func norm(field: UInt32, hasNorms: Bool, segment: SegmentReader, document: UInt32) -> UInt8 {
        guard hasNorms, let norms = segment.norms.norms(field: field) else { return 1 }
        return norms[document]
    }

    private func idfExplanation(_ documentFrequency: UInt64, field: UInt32) -> Explanation {
        let documentCount = statistics[Int(field)].documentCount
        return .match(
            BM25Weight.idf(documentFrequency: documentFrequency, documentCount: documentCount),
            "idf, computed as log(1 + (N - n + 0.5) / (n + 0.5)) from:",
            [
                .match(Float(documentFrequency), "n, number of documents containing the term"),
                .match(Float(documentCount), "N, total number of documents with the field"),
            ])
    }

    /// Lucene's `BM25Similarity.explain` layout; the root value is `bm25.score`, the scorer's own expression.
    private func bm25Explanation(
        _ bm25: BM25Weight, idf: Explanation, frequency: Float, frequencyDescription: String, norm: UInt8,
        query: String, segment: Int, document: UInt32
    ) -> Explanation {
        let length = SmallFloat.decodeTable[Int(norm)]
        let k1 = bm25.parameters.k1
        let b = bm25.parameters.b
        let tf = frequency / (frequency + k1 * ((1 - b) + b * Float(length) / bm25.averageLength))
        let tfExplanation = Explanation.match(
            tf, "tf, computed as freq / (freq + k1 * (1 - b + b * dl / avgdl)) from:",
            [
                .match(frequency, "freq, \(frequencyDescription)"),
                .match(k1, "k1, term saturation parameter"),
                .match(b, "b, length normalization parameter"),
                .match(
                    Float(length),
                    length < SmallFloat.exactLimit ? "dl, length of the field" : "dl, length of the field (approximate)"
                ),
                .match(bm25.averageLength, "avgdl, average length of the field"),
            ])
        return .match(
            bm25.score(frequency: frequency, norm: norm),
            "weight(\(query) in segment \(segment) document \(document)) [BM25], computed as boost * idf * tf from:",
            [.match(bm25.boost, "boost"), idf, tfExplanation])
    }
}
