/// Recursive descent over query tokens; recursion happens only for groups, so its depth is
/// bounded by `QueryParser.maximumDepth`.
///
/// Grammar (whitespace between tokens is not significant, as in Lucene):
/// ```
/// sequence := ( [AND | OR] [+ | - | ! | NOT] clause )*
/// clause   := [word ':'] atom
/// atom     := (word | phrase | '(' sequence ')') ( '~' digits | '^' number )*
/// ```
struct QueryTokenParser {
    private let tokens: [QueryToken]
    private let mode: QueryParseMode
    private let defaultOperator: QueryParser.Operator
    private let knownFields: Set<String>?
    private var index = 0
    private var leafCount = 0

    /// A parser over `tokens`, strict or forgiving per `mode`.
    init(tokens: [QueryToken], mode: QueryParseMode, defaultOperator: QueryParser.Operator, knownFields: Set<String>?) {
        self.tokens = tokens
        self.mode = mode
        self.defaultOperator = defaultOperator
        self.knownFields = knownFields
    }

    /// The query of all the tokens; `.matchNone` when there is no clause.
    mutating func parseQuery() throws(QueryParseError) -> Query {
        let clauses = try parseSequence(depth: 0, field: nil, opening: nil)
        return QueryClauseCombiner.combine(clauses, defaultOperator: defaultOperator) ?? .matchNone
    }

    /// Clauses up to the `)` closing `opening` (consumed) or the end of the tokens.
    private mutating func parseSequence(
        depth: Int, field: String?, opening: QueryToken?
    ) throws(QueryParseError) -> [QueryClause] {
        var clauses: [QueryClause] = []
        var conjunction: (QueryClause.Conjunction, QueryToken)?
        var modifier: (QueryClause.Modifier, QueryToken)?
        var closed = false
        scan: while index < tokens.count {
            let token = tokens[index]
            switch token.kind {
            case .rightParenthesis:
                index += 1
                if opening != nil {
                    closed = true
                    break scan
                }
                try mode.report(.unbalancedParenthesis, at: token.position)
            case .and, .or:
                index += 1
                if let (_, pending) = modifier {
                    try mode.report(.expectedTermAfter(pending.spelling), at: pending.position)
                    modifier = nil
                }
                if let (_, pending) = conjunction {
                    try mode.report(.expectedTermAfter(pending.spelling), at: pending.position)
                } else if clauses.isEmpty {
                    try mode.report(.expectedTermBefore(token.spelling), at: token.position)
                    continue scan  // forgiving: a leading operator joins nothing
                }
                conjunction = (token.kind == .and ? .and : .or, token)
            case .required, .prohibited:
                index += 1
                if let (_, pending) = modifier {
                    try mode.report(.expectedTermAfter(pending.spelling), at: pending.position)
                }
                modifier = (token.kind == .required ? .required : .prohibited, token)
            case .colon, .tilde, .caret:
                index += 1
                try mode.report(.unexpected(token.spelling), at: token.position)
            case .word, .phrase, .leftParenthesis:
                if let query = try parseClause(depth: depth, field: field) {
                    clauses.append(
                        QueryClause(
                            conjunction: conjunction?.0 ?? .implicit, modifier: modifier?.0 ?? .none, query: query))
                }
                conjunction = nil
                modifier = nil
            }
        }
        if let (_, pending) = modifier {
            try mode.report(.expectedTermAfter(pending.spelling), at: pending.position)
        }
        if let (_, pending) = conjunction {
            try mode.report(.expectedTermAfter(pending.spelling), at: pending.position)
        }
        if let opening, !closed {
            try mode.report(.unclosedGroup, at: opening.position)
        }
        return clauses
    }

    /// `field:atom` or an atom; `nil` when forgiving dropped it.
    private mutating func parseClause(depth: Int, field: String?) throws(QueryParseError) -> Query? {
        let token = tokens[index]
        guard case .word(let name, let isPrefix) = token.kind, index + 1 < tokens.count,
            tokens[index + 1].kind == .colon
        else {
            return try parseAtom(depth: depth, field: field)
        }
        index += 2
        var isKnown = true
        if isPrefix {
            try mode.report(.invalidFieldName(token.spelling), at: token.position)
            isKnown = false
        } else if let knownFields, !knownFields.contains(name) {
            try mode.report(.unknownField(name), at: token.position)
            isKnown = false
        }
        let hasValue =
            switch index < tokens.count ? tokens[index].kind : nil {
            case .word, .phrase, .leftParenthesis: true
            default: false
            }
        guard hasValue else {
            try mode.report(.expectedTermAfter("\(name):"), at: token.position)
            // Forgiving: the field name alone is a word.
            return try leaf(isPrefix ? .prefix(field: field, prefix: name) : .term(field: field, text: name), token)
        }
        if isKnown { return try parseAtom(depth: depth, field: name) }
        // Forgiving, unknown field: `field:value` is the plain text `field value`.
        let nameQuery = try leaf(
            isPrefix ? .prefix(field: field, prefix: name) : .term(field: field, text: name), token)
        let value = try parseAtom(depth: depth, field: field)
        let clauses = [nameQuery, value].compactMap { $0 }.map {
            QueryClause(conjunction: .implicit, modifier: .none, query: $0)
        }
        return QueryClauseCombiner.combine(clauses, defaultOperator: defaultOperator)
    }

    /// A word, phrase or group with its `~` and `^` modifiers; `nil` when forgiving dropped it.
    private mutating func parseAtom(depth: Int, field: String?) throws(QueryParseError) -> Query? {
        let token = tokens[index]
        index += 1
        var query: Query?
        switch token.kind {
        case .word(let text, let isPrefix):
            query = try leaf(isPrefix ? .prefix(field: field, prefix: text) : .term(field: field, text: text), token)
        case .phrase(let text):
            if text.allSatisfy(\.isWhitespace) {
                try mode.report(.emptyPhrase, at: token.position)
            } else {
                query = try leaf(.phrase(field: field, text: text, slop: 0), token)
            }
        case .leftParenthesis:
            query = try parseGroup(depth: depth, field: field, opening: token)
        default:
            preconditionFailure("parseAtom called on \(token.kind)")
        }
        return try applyModifiers(to: query, isGroup: token.kind == .leftParenthesis)
    }

    private mutating func parseGroup(
        depth: Int, field: String?, opening: QueryToken
    ) throws(QueryParseError) -> Query? {
        guard depth < QueryParser.maximumDepth else {
            try mode.report(.tooDeep(limit: QueryParser.maximumDepth), at: opening.position)
            // Forgiving (not reached after balancing): the group's content joins this sequence.
            return nil
        }
        let clauses = try parseSequence(depth: depth + 1, field: field, opening: opening)
        if clauses.isEmpty {
            try mode.report(.emptyGroup, at: opening.position)
        }
        return QueryClauseCombiner.combine(clauses, defaultOperator: defaultOperator)
    }

    /// Counts a leaf against `maximumClauses`; `nil` past it when forgiving.
    private mutating func leaf(_ query: Query, _ token: QueryToken) throws(QueryParseError) -> Query? {
        leafCount += 1
        guard leafCount <= QueryParser.maximumClauses else {
            try mode.report(.tooManyClauses(limit: QueryParser.maximumClauses), at: token.position)
            return nil
        }
        return query
    }

    /// Consumes the `~` and `^` after an atom and applies them to `query` (when not dropped).
    private mutating func applyModifiers(to query: Query?, isGroup: Bool) throws(QueryParseError) -> Query? {
        var tilde: (String, QueryToken)?
        var caret: (String, QueryToken)?
        modifiers: while index < tokens.count {
            let token = tokens[index]
            switch token.kind {
            case .tilde(let argument):
                if tilde != nil {
                    try mode.report(.duplicateModifier("~"), at: token.position)
                } else {
                    tilde = (argument, token)
                }
            case .caret(let argument):
                if caret != nil {
                    try mode.report(.duplicateModifier("^"), at: token.position)
                } else {
                    caret = (argument, token)
                }
            default:
                break modifiers
            }
            index += 1
        }
        guard var query else { return nil }
        if let (argument, token) = tilde {
            if isGroup {
                try mode.report(.notApplicable(modifier: "~", target: "a group"), at: token.position)
            } else {
                query = try applyTilde(argument, at: token.position, to: query)
            }
        }
        if let (argument, token) = caret {
            if let boost = Float(argument), boost.isFinite, boost > 0 {
                query = .boost(query, boost)
            } else {
                try mode.report(.invalidBoost, at: token.position)
            }
        }
        return query
    }

    private func applyTilde(_ argument: String, at position: Int, to query: Query) throws(QueryParseError) -> Query {
        switch query {
        case .term(let field, let text):
            if argument.isEmpty { return .fuzzy(field: field, text: text, maximumEdits: nil) }
            if let edits = Int(argument), (0...2).contains(edits) {
                return .fuzzy(field: field, text: text, maximumEdits: edits)
            }
            try mode.report(.invalidFuzzyEdits, at: position)
            // Forgiving: too many edits become the most allowed; anything else chooses by length.
            return .fuzzy(field: field, text: text, maximumEdits: Int(argument).map { _ in 2 })
        case .phrase(let field, let text, _):
            if let slop = Int(argument) { return .phrase(field: field, text: text, slop: slop) }
            try mode.report(.invalidSlop, at: position)
            return query
        default:
            try mode.report(.notApplicable(modifier: "~", target: "a prefix"), at: position)
            return query
        }
    }
}
