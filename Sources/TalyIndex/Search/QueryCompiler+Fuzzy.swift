/// Fuzzy queries: the text is folded (the standard analyzer, never stemmed), every term of the field within
/// the allowed Levenshtein distance is collected from each segment's dictionary, and the documents of any of
/// them score the boost (constant score, like prefix queries).
///
/// Deviation from Lucene's `FuzzyQuery`: Lucene keeps the 50 closest terms and blends their statistics
/// (`TopTermsBlendedFreqScoringRewrite`); here every term within the distance counts, up to
/// ``QueryCompiler/maximumExpansions``, and scores are constant. Candidates are found by a full walk of the
/// field's terms with a length filter, not a Levenshtein automaton: O(terms) per segment.
extension QueryCompiler {
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
        // Meilisearch's typo tolerance: none below 5 characters, 1 from 5, 2 from 9, never on numbers.
        let edits = maximumEdits ?? (isNumber ? 0 : scalars.count >= 9 ? 2 : scalars.count >= 5 ? 1 : 0)
        if edits <= 0 {
            return try plan(
                number: number, terms: [target], offsets: [0], hasNorms: reader.schema.fields[number].type.hasNorms,
                slop: 0, boost: boost)
        }
        let expansions = try expand(number: number, describing: "fuzzy \"\(text)\"") { fieldTerms in
            fieldTerms.makeCursor()
        } accepting: { term in
            // A UTF-8 term of n bytes has between n / 4 and n scalars.
            guard term.count / 4 <= scalars.count + edits, term.count + edits >= scalars.count else { return false }
            let candidate = Array(String(decoding: term, as: UTF8.self).unicodeScalars.map(\.value))
            return Self.levenshtein(scalars, candidate, limit: edits) <= edits
        }
        return try constantUnion(number: number, terms: expansions, boost: boost)
    }

    /// The Levenshtein distance of `a` and `b`, or `limit + 1` as soon as it must exceed `limit`.
    static func levenshtein(_ a: [UInt32], _ b: [UInt32], limit: Int) -> Int {
        if abs(a.count - b.count) > limit { return limit + 1 }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            current[0] = i
            var rowMinimum = i
            for j in 1...max(b.count, 1) where !b.isEmpty {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(substitution, previous[j] + 1, current[j - 1] + 1)
                rowMinimum = min(rowMinimum, current[j])
            }
            if rowMinimum > limit { return limit + 1 }
            swap(&previous, &current)
        }
        return a.isEmpty ? b.count : previous[b.count]
    }
}

extension FieldType {
    /// Whether the field has norms (text fields).
    var hasNorms: Bool {
        if case .text = self { return true }
        return false
    }
}
