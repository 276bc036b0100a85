/// Compiles a ``Query`` into a ``QueryPlan`` for one snapshot: analysis, term lookups in every segment,
/// statistics and BM25 weights. One per search (its analyzers are not `Sendable`).
struct QueryCompiler {
    let reader: IndexReader
    let statistics: [FieldStatistics]
    let lengthFactors: [[Float]]
    let defaultFields: [IndexSearcher.DefaultField]
    let parameters: BM25Parameters
    /// The analyzer of the kind last used: nearly every query analyzes with one kind, and a dictionary
    /// of them was an allocation and a hash per query.
    private var lastAnalyzer: (kind: AnalyzerKind, analyzer: any Analyzer)?
    /// The analyzers of the kinds used before the last one.
    private var analyzers: [AnalyzerKind: any Analyzer] = [:]
    /// The tokens of the last analyzed text.
    private(set) var tokens = TokenBuffer()

    init(searcher: IndexSearcher) {
        reader = searcher.reader
        statistics = searcher.statistics
        lengthFactors = searcher.lengthFactors
        defaultFields = searcher.defaultFields
        parameters = searcher.parameters
    }

    /// The plan of `query`, with `boost` multiplied into every scoring leaf.
    mutating func compile(_ query: Query, boost: Float = 1) throws(SearchError) -> QueryPlan {
        switch query {
        case .term(let field, let text):
            return try leaves(field: field, text: text, slop: 0, kind: .analyzed, boost: boost)
        case .phrase(let field, let text, let slop):
            return try leaves(field: field, text: text, slop: max(0, slop), kind: .analyzed, boost: boost)
        case .prefix(let field, let prefix):
            return try leaves(field: field, text: prefix, slop: 0, kind: .prefix, boost: boost)
        case .fuzzy(let field, let text, let maximumEdits):
            return try leaves(field: field, text: text, slop: maximumEdits ?? -1, kind: .fuzzy, boost: boost)
        case .boost(let inner, let factor):
            return try compile(inner, boost: boost * factor)
        case .matchAll:
            return .constant(boost)
        case .matchNone:
            return .none
        case .boolean(let must, let should, let mustNot, let filter, let minimumShouldMatch):
            var plan = BooleanPlan(
                must: [], should: [], mustNot: [], filter: [], minimumShouldMatch: minimumShouldMatch)
            for clause in must { plan.must.append(try compile(clause, boost: boost)) }
            for clause in should { plan.should.append(try compile(clause, boost: boost)) }
            for clause in mustNot { plan.mustNot.append(try compile(clause, boost: 1)) }
            for clause in filter { plan.filter.append(try compile(clause, boost: 1)) }
            // Clauses that match nothing: a required one empties the query, others just drop out
            // (so the shape stays prunable).
            if plan.must.contains(where: \.isNone) || plan.filter.contains(where: \.isNone) { return .none }
            plan.should.removeAll(where: \.isNone)
            plan.mustNot.removeAll(where: \.isNone)
            if plan.must.isEmpty && plan.filter.isEmpty && plan.should.count < max(1, minimumShouldMatch) {
                return .none
            }
            if plan.must.isEmpty && plan.filter.isEmpty && plan.mustNot.isEmpty && plan.should.count == 1
                && minimumShouldMatch <= 1
            {
                return plan.should[0]
            }
            return .boolean(plan)
        }
    }

    /// A leaf over `field`, or over every default field (a disjunction with each field's weight as a boost,
    /// as Lucene's `MultiFieldQueryParser` builds it).
    /// What a leaf's text is.
    private enum LeafKind {
        /// Analyzed into a term or phrase.
        case analyzed
        /// A term prefix.
        case prefix
        /// A term to match within edits (`slop` carries the maximum edits, −1 for automatic).
        case fuzzy
    }

    private mutating func leaves(field: String?, text: String, slop: Int, kind: LeafKind, boost: Float)
        throws(SearchError) -> QueryPlan
    {
        guard let field else {
            var clauses: [QueryPlan] = []
            for target in defaultFields {
                clauses.append(
                    try leaf(number: target.number, text: text, slop: slop, kind: kind, boost: boost * target.weight))
            }
            clauses.removeAll(where: \.isNone)
            if clauses.isEmpty { return .none }
            if clauses.count == 1 { return clauses[0] }
            return .boolean(BooleanPlan(must: [], should: clauses, mustNot: [], filter: [], minimumShouldMatch: 1))
        }
        guard let number = reader.schema.fieldNumber(field) else { throw .unknownField(field) }
        let type = reader.schema.fields[number].type
        guard reader.schema.isIndexed(number) else {
            throw .fieldNotSearchable(field, type: type.isIndexed ? "append-only id" : type.name)
        }
        return try leaf(number: number, text: text, slop: slop, kind: kind, boost: boost)
    }

    private mutating func leaf(number: Int, text: String, slop: Int, kind: LeafKind, boost: Float)
        throws(SearchError) -> QueryPlan
    {
        switch kind {
        case .analyzed: try leaf(number: number, text: text, slop: slop, boost: boost)
        case .prefix: try prefixLeaf(number: number, prefix: text, boost: boost)
        case .fuzzy: try fuzzyLeaf(number: number, text: text, maximumEdits: slop < 0 ? nil : slop, boost: boost)
        }
    }

    /// Analyzes `text` for field `number`: no token matches nothing, one is a term, several a phrase.
    private mutating func leaf(number: Int, text: String, slop: Int, boost: Float) throws(SearchError) -> QueryPlan {
        var terms: [[UInt8]] = []
        var offsets: [Int32] = []
        let hasNorms: Bool
        switch reader.schema.fields[number].type {
        case .text(let kind, _):
            hasNorms = true
            try analyze(text, kind: kind)
            for index in tokens.indices {
                terms.append(Array(tokens.termBytes[tokens[index].termRange]))
                offsets.append(Int32(truncatingIfNeeded: tokens[index].position &- tokens[0].position))
            }
        default:
            hasNorms = false
            terms = [Array(text.utf8)]
            offsets = [0]
        }
        return try plan(number: number, terms: terms, offsets: offsets, hasNorms: hasNorms, slop: slop, boost: boost)
    }

    /// Replaces ``tokens`` with the tokens of `text` under the analyzer `kind` (one analyzer per kind per compile).
    mutating func analyze(_ text: String, kind: AnalyzerKind) throws(SearchError) {
        let analyzer: any Analyzer
        if let last = lastAnalyzer, last.kind == kind {
            analyzer = last.analyzer
        } else {
            if let cached = analyzers[kind] {
                analyzer = cached
            } else {
                do { analyzer = try kind.makeAnalyzer() } catch { throw .analysis(error) }
            }
            if let last = lastAnalyzer { analyzers[last.kind] = last.analyzer }
            lastAnalyzer = (kind, analyzer)
        }
        do { try analyzer.analyze(text, into: &tokens) } catch { throw .analysis(error) }
    }

    /// A term (one entry in `terms`) or a phrase of field `number`, looked up in every segment.
    func plan(number: Int, terms: [[UInt8]], offsets: [Int32], hasNorms: Bool, slop: Int, boost: Float)
        throws(SearchError) -> QueryPlan
    {
        guard !terms.isEmpty else { return .none }
        let field = UInt32(number)
        let stats = statistics[number]
        let segments = reader.segments
        // Term-major: entry `term × segments.count + segment` (one allocation, not one array per segment).
        var found: [TermInfo?] = []
        found.reserveCapacity(terms.count * segments.count)
        var idfSum: Double = 0
        var documentFrequencies: [UInt64] = []
        documentFrequencies.reserveCapacity(terms.count)
        for term in terms {
            var documentFrequency: UInt64 = 0
            for segment in segments {
                let info: TermInfo?
                do {
                    info = try term.withUnsafeBytes { bytes in
                        Result { () throws(IndexError) in try segment.terms.lookup(bytes, field: field) }
                    }.get()
                } catch { throw .index(error) }
                documentFrequency += UInt64(info?.documentFrequency ?? 0)
                found.append(info)
            }
            // Lucene's TermWeight/PhraseWeight match nothing when a term is in no document.
            guard documentFrequency > 0 else { return .none }
            documentFrequencies.append(documentFrequency)
            idfSum += Double(BM25Weight.idf(documentFrequency: documentFrequency, documentCount: stats.documentCount))
        }
        let bm25 = BM25Weight(
            boost: boost, idf: Float(idfSum), statistics: stats, parameters: parameters,
            lengthFactors: lengthFactors[number])
        if terms.count == 1 {
            return .term(
                TermLeaf(
                    field: field, term: terms[0], documentFrequency: documentFrequencies[0], hasNorms: hasNorms,
                    infos: found, bm25: bm25))
        }
        var infos: [[TermInfo]?] = []
        infos.reserveCapacity(segments.count)
        for segment in segments.indices {
            var row: [TermInfo] = []
            row.reserveCapacity(terms.count)
            for term in terms.indices {
                guard let info = found[term * segments.count + segment] else { break }
                row.append(info)
            }
            infos.append(row.count == terms.count ? row : nil)
        }
        return .phrase(
            PhraseLeaf(
                field: field, hasNorms: hasNorms, terms: terms, documentFrequencies: documentFrequencies, infos: infos,
                offsets: offsets, slop: slop, bm25: bm25))
    }
}
