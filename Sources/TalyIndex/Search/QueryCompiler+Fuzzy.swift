/// Fuzzy queries: the text is folded (the standard analyzer, never stemmed), every term of the field within
/// the allowed Levenshtein distance is collected from each segment's dictionary, and the documents of any of
/// them score the boost (constant score, like prefix queries).
///
/// Deviation from Lucene's `FuzzyQuery`: Lucene keeps the 50 closest terms and blends their statistics
/// (`TopTermsBlendedFreqScoringRewrite`); here every term within the distance counts, up to
/// ``QueryCompiler/maximumExpansions``, and scores are constant. Candidates are found by ``FuzzyTermWalk``,
/// which visits only the dictionary prefixes still within the distance. Edits chosen by length (`word~`,
/// and the API's typo tolerance) count typos as Meilisearch does: a transposition is one, and an edit of
/// the first character is two; explicit edits (`word~1`) are a plain Levenshtein distance.
extension QueryCompiler {
    /// The edits a fuzzy term without explicit ones allows, by its length in Unicode scalars:
    /// Meilisearch's typo tolerance, none below 5 characters, 1 from 5, 2 from 9, never on numbers.
    static func typoEdits(length: Int, isNumber: Bool) -> Int {
        isNumber ? 0 : length >= 9 ? 2 : length >= 5 ? 1 : 0
    }

    /// The plan of fuzzy `text` over field `number` with at most `maximumEdits` edits (nil: by length).
    mutating func fuzzyLeaf(number: Int, text: String, maximumEdits: Int?, boost: Float) throws(SearchError)
        -> QueryPlan
    {
        let target: [UInt8]
        switch reader.schema.fields[number].type {
        case .text:
            try analyze(text, kind: .standard)
            guard tokens.count == 1 else {
                if tokens.isEmpty { return .none }
                throw .unsupported("multi-word fuzzy")
            }
            target = Array(tokens.termBytes[tokens[0].termRange])
        default:
            target = Array(text.utf8)
        }
        let scalars = Array(String(decoding: target, as: UTF8.self).unicodeScalars.map(\.value))
        let isNumber = !target.isEmpty && target.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
        let edits = maximumEdits ?? Self.typoEdits(length: scalars.count, isNumber: isNumber)
        if edits <= 0 {
            return try plan(
                number: number, terms: [target], offsets: [0], hasNorms: reader.schema.fields[number].type.hasNorms,
                slop: 0, boost: boost)
        }
        // Edits chosen by length are typos, counted as Meilisearch counts them; explicit edits
        // are a Levenshtein distance.
        let walk = FuzzyTermWalk(target: scalars, maximumEdits: edits, typoRules: maximumEdits == nil)
        let expansions = try expand(number: number, describing: "fuzzy \"\(text)\"") { fieldTerms in
            fieldTerms.makeCursor()
        } advance: { cursor throws(IndexError) in
            try walk.advance(&cursor)
        }
        return try constantUnion(number: number, terms: expansions, boost: boost)
    }
}

extension FieldType {
    /// Whether the field has norms (text fields).
    var hasNorms: Bool {
        if case .text = self { return true }
        return false
    }
}
