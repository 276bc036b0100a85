/// Prefix queries: the prefix is folded (the standard analyzer, never stemmed) and expanded through each
/// segment's term dictionary into a disjunction of the distinct terms, scored as a constant (the boost),
/// as Lucene's `PrefixQuery` with its default constant-score rewrite.
extension QueryCompiler {
    /// The most distinct terms a prefix may expand to before the search fails.
    static let maximumExpansions = 1024

    /// The plan of `prefix` over field `number`.
    mutating func prefixLeaf(number: Int, prefix: String, boost: Float) throws(SearchError) -> QueryPlan {
        let folded: [UInt8]
        switch reader.schema.fields[number].type {
        case .text:
            try analyze(prefix, kind: .standard)
            guard tokens.count == 1 else {
                if tokens.isEmpty { return .none }
                throw .unsupported("multi-word prefix")
            }
            folded = Array(tokens.termBytes[tokens[0].termRange])
        default:
            folded = Array(prefix.utf8)
        }
        let expansions = try expand(number: number, describing: "prefix \"\(prefix)\"") { fieldTerms in
            fieldTerms.makeCursor(prefix: folded)
        } advance: { cursor throws(IndexError) in
            try cursor.next()
        }
        return try constantUnion(number: number, terms: expansions, boost: boost)
    }

    /// The distinct terms of field `number`, over every segment, that `advance` moves the cursor
    /// `makeCursor` to (each call: the next kept term, or false at the end); more than
    /// ``maximumExpansions`` is an error naming `description`.
    func expand(
        number: Int,
        describing description: String,
        cursor makeCursor: (FieldTerms) -> TermCursor,
        advance: (inout TermCursor) throws(IndexError) -> Bool
    ) throws(SearchError) -> Set<[UInt8]> {
        var expansions = Set<[UInt8]>()
        var tooMany = false
        do throws(IndexError) {
            segments: for segment in reader.segments {
                guard let fieldTerms = segment.terms.terms(forField: UInt32(number)) else { continue }
                var cursor = makeCursor(fieldTerms)
                // Past the deadline the expansion ends; the searcher throws rather than search with it.
                while !SearchBudget.spentInLoop, try advance(&cursor) {
                    expansions.insert(Array(cursor.term))
                    if expansions.count > Self.maximumExpansions {
                        tooMany = true
                        break segments
                    }
                }
            }
        } catch {
            throw .index(error)
        }
        if tooMany {
            throw .tooManyExpansions(
                query: "\(description) on \(reader.schema.fields[number].name)", limit: Self.maximumExpansions)
        }
        return expansions
    }

    /// The documents of any of `terms` (field `number`), all scoring `boost`.
    func constantUnion(number: Int, terms: Set<[UInt8]>, boost: Float) throws(SearchError) -> QueryPlan {
        let hasNorms = reader.schema.fields[number].type.hasNorms
        var clauses: [QueryPlan] = []
        for term in terms.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            let clause = try plan(number: number, terms: [term], offsets: [0], hasNorms: hasNorms, slop: 0, boost: 1)
            if !clause.isNone { clauses.append(clause) }
        }
        if clauses.isEmpty { return .none }
        let union =
            clauses.count == 1
            ? clauses[0]
            : .boolean(BooleanPlan(must: [], should: clauses, mustNot: [], filter: [], minimumShouldMatch: 1))
        return .constantScore(union, boost)
    }
}
