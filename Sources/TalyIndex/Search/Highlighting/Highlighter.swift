/// Marks where a query matches the stored text of hits, and cuts snippets around the matches.
///
/// The query is compiled once, as the searcher compiles it, and the highlighter keeps the terms of its
/// plan per field: analyzed terms, the terms prefix and fuzzy leaves expanded to (the plan's own
/// expansion, so highlights agree with what matched), and phrases with their offsets and slop. `mustNot`
/// clauses are skipped. Per hit, each stored text field is re-analyzed with its analyzer (tokens carry byte
/// offsets): a token is a match when its term is a loose term of the field, or when it takes part in an
/// occurrence of one of the field's phrases (see ``PhraseTarget``). Snippets are cut by ``SnippetBuilder``.
///
/// Not `Sendable`: it keeps one analyzer per kind (ICU and stemmer handles); make one per thread or task.
public struct Highlighter {
    /// The options snippets are cut with.
    public let options: HighlightOptions
    private let reader: IndexReader
    /// The field numbers highlighted, in the order asked.
    private let fields: [Int]
    /// What to mark, by field number.
    private let targets: [Int: FieldTargets]
    private var analyzers: [AnalyzerKind: any Analyzer] = [:]
    private var tokens = TokenBuffer()

    /// A highlighter of `query` over the hits of `searcher` (whose default fields resolve field-less leaves).
    /// Throws ``SearchError/unknownField(_:)`` for an unknown field in `options.fields` and
    /// ``SearchError/fieldNotHighlightable(_:type:)`` for one that is not a text field.
    public init(searcher: IndexSearcher, query: Query, options: HighlightOptions = HighlightOptions())
        throws(SearchError)
    {
        self.options = options
        reader = searcher.reader
        let schema = reader.schema
        if let names = options.fields {
            var numbers: [Int] = []
            for name in names {
                guard let number = schema.fieldNumber(name) else { throw .unknownField(name) }
                guard case .text = schema.fields[number].type else {
                    throw .fieldNotHighlightable(name, type: schema.fields[number].type.name)
                }
                numbers.append(number)
            }
            fields = numbers
        } else {
            fields = schema.fields.indices.filter { number in
                if case .text(_, stored: true) = schema.fields[number].type { return true }
                return false
            }
        }
        var compiler = QueryCompiler(searcher: searcher)
        var targets: [Int: FieldTargets] = [:]
        Self.collect(try compiler.compile(query), into: &targets)
        self.targets = targets
    }

    /// The highlights of `hit`'s stored text fields (fields without a stored value are left out).
    public mutating func highlight(_ hit: SearchHit) throws(SearchError) -> [HighlightedField] {
        try highlight(segment: hit.segment, document: hit.document)
    }

    /// The highlights of the stored text fields of document `document` in segment number `segment`.
    public mutating func highlight(segment: Int, document: UInt32) throws(SearchError) -> [HighlightedField] {
        precondition(reader.segments.indices.contains(segment), "segment \(segment) is not in the snapshot")
        let stored: Document
        do { stored = try reader.segments[segment].storedFields(document) } catch { throw .index(error) }
        var result: [HighlightedField] = []
        for number in fields {
            let name = reader.schema.fields[number].name
            guard case .text(let text)? = stored[name] else { continue }
            result.append(try highlight(text: text, field: number))
        }
        return result
    }

    /// The highlights of `text` as a value of the text field `field` (which need not be stored).
    public mutating func highlight(text: String, field: String) throws(SearchError) -> HighlightedField {
        guard let number = reader.schema.fieldNumber(field) else { throw .unknownField(field) }
        guard case .text = reader.schema.fields[number].type else {
            throw .fieldNotHighlightable(field, type: reader.schema.fields[number].type.name)
        }
        return try highlight(text: text, field: number)
    }

    private mutating func highlight(text: String, field number: Int) throws(SearchError) -> HighlightedField {
        guard case .text(let kind, _) = reader.schema.fields[number].type else {
            preconditionFailure("only text fields are highlighted")
        }
        let analyzer: any Analyzer
        if let cached = analyzers[kind] {
            analyzer = cached
        } else {
            do { analyzer = try kind.makeAnalyzer() } catch { throw .analysis(error) }
            analyzers[kind] = analyzer
        }
        do { try analyzer.analyze(text, into: &tokens) } catch { throw .analysis(error) }
        let matched = targets[number].map { $0.matchedTokens(in: tokens) } ?? []
        var matches: [SnippetBuilder.Match] = []
        var termIDs: [ArraySlice<UInt8>: Int] = [:]
        for index in matched {
            let term = tokens.termBytes[tokens[index].termRange]
            let id = termIDs[term] ?? termIDs.count
            termIDs[term] = id
            matches.append(SnippetBuilder.Match(range: tokens[index].sourceRange, term: id))
        }
        let snippets = SnippetBuilder(text: text, tokens: tokens, options: options).snippets(matches)
        return HighlightedField(
            field: reader.schema.fields[number].name, matches: matches.map(\.range), snippets: snippets)
    }

    /// Adds the positive leaves of `plan` to `targets` (`mustNot` clauses never highlight).
    private static func collect(_ plan: QueryPlan, into targets: inout [Int: FieldTargets]) {
        switch plan {
        case .none, .constant:
            return
        case .term(let leaf):
            targets[Int(leaf.field), default: FieldTargets()].terms.insert(leaf.term[...])
        case .phrase(let leaf):
            targets[Int(leaf.field), default: FieldTargets()].phrases.append(
                PhraseTarget(terms: leaf.terms.map { $0[...] }, offsets: leaf.offsets, slop: leaf.slop))
        case .constantScore(let inner, _):
            collect(inner, into: &targets)
        case .boolean(let boolean):
            for clause in boolean.must + boolean.should + boolean.filter { collect(clause, into: &targets) }
        }
    }
}

/// What to mark in one field.
struct FieldTargets {
    /// Terms marked wherever they occur.
    var terms: Set<ArraySlice<UInt8>> = []
    /// Phrases marked where they occur.
    var phrases: [PhraseTarget] = []

    /// The indices (in `tokens`) of the tokens to mark, in text order.
    func matchedTokens(in tokens: TokenBuffer) -> [Int] {
        var marked = [Bool](repeating: false, count: tokens.count)
        if !terms.isEmpty {
            for index in tokens.indices where terms.contains(tokens.termBytes[tokens[index].termRange]) {
                marked[index] = true
            }
        }
        for phrase in phrases { phrase.mark(in: tokens, marked: &marked) }
        return marked.indices.filter { marked[$0] }
    }
}

/// A phrase to mark: its terms, their positions relative to the first, and the slop.
///
/// A token takes part in an occurrence when it sits in a window of phrase positions (token position minus
/// the term's offset) `[low, low + slop]` in which every term of the phrase has a token. That is the
/// match condition of Lucene's sloppy phrases (match length = span of the phrase positions ≤ slop; exact
/// phrases: span 0), so the marked tokens are exactly those that belong to some match, and a phrase's
/// words elsewhere in the text stay unmarked. Every window starts at some token's phrase position, so
/// trying those as `low` (in increasing order, with one forward pointer per term) finds them all.
struct PhraseTarget {
    var terms: [ArraySlice<UInt8>]
    var offsets: [Int32]
    var slop: Int

    func mark(in tokens: TokenBuffer, marked: inout [Bool]) {
        // Per phrase term, (phrase position, token index) in increasing position (tokens are in order).
        var occurrences = [[(position: Int64, token: Int)]](repeating: [], count: terms.count)
        var lows: [Int64] = []
        for index in tokens.indices {
            let term = tokens.termBytes[tokens[index].termRange]
            for (number, phraseTerm) in terms.enumerated() where phraseTerm == term {
                let position = Int64(tokens[index].position) - Int64(offsets[number])
                occurrences[number].append((position, index))
                lows.append(position)
            }
        }
        guard occurrences.allSatisfy({ !$0.isEmpty }) else { return }
        lows.sort()
        var pointers = [Int](repeating: 0, count: terms.count)
        var previous = Int64.min
        for low in lows where low != previous {
            previous = low
            let high = low + Int64(slop)
            var complete = true
            for number in terms.indices {
                let list = occurrences[number]
                while pointers[number] < list.count && list[pointers[number]].position < low { pointers[number] += 1 }
                if pointers[number] == list.count || list[pointers[number]].position > high {
                    complete = false
                    break
                }
            }
            guard complete else { continue }
            for number in terms.indices {
                var at = pointers[number]
                let list = occurrences[number]
                while at < list.count && list[at].position <= high {
                    marked[list[at].token] = true
                    at += 1
                }
            }
        }
    }
}
