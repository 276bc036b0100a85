/// Parses Lucene-like query syntax into a `Query`, strictly (API, admins) or forgivingly (search
/// boxes).
///
/// Syntax: bare terms `a b`; phrases `"a b"` with slop `"a b"~2`; `+required`, `-prohibited`
/// (also `!x`, `NOT x`); `AND` `OR` (also `&&` `||`; uppercase only, lowercase words are terms);
/// groups `( )`, nested; `field:term`, `field:"a b"`, `field:(a b)` (the field applies to every
/// leaf inside without a field of its own); `prefix*` (a trailing star only); `fuzzy~` (edits
/// chosen by length), `fuzzy~0` … `fuzzy~2`; boosts `x^2`, `"a b"^1.5`, `(a b)^3`; `\` escapes
/// any character (`c\+\+` is the term `c++`). Term and phrase text stays unanalyzed.
///
/// Precedence (see `QueryClauseCombiner`): AND binds tighter than OR, so `a AND b OR c` is
/// `(+a +b) c` and `a OR b AND c` is `a (+b +c)`; with the default operator OR, juxtaposition
/// is OR. `+`, `-` and `NOT` apply to one clause. Unambiguous queries give Lucene's classic
/// shapes: `a b` is should [a, b] with minimumShouldMatch 1; `+a +b` is must [a, b]; `+a b` is
/// must [a], should [b] with minimumShouldMatch 0; `+a -b` is must [a], mustNot [b]; only
/// negative clauses (`-a`) are must [.matchAll], mustNot [a]; a single clause is returned bare.
///
/// Empty (or whitespace-only) text is `.matchNone` for both parsers, and so is forgiving input
/// with nothing usable left. Positions in errors are `Character` offsets.
public struct QueryParser: Sendable {
    /// The operator between clauses that have none written between them.
    public enum Operator: Sendable, Hashable {
        /// `a b` means `a OR b` (Lucene's default).
        case or
        /// `a b` means `a AND b`.
        case and
    }

    /// Longest query accepted, in `Character`s; the forgiving parser reads only this much.
    public static let maximumLength = 4_096
    /// Deepest nesting of groups; the forgiving parser ignores parentheses deeper than this.
    public static let maximumDepth = 32
    /// Most leaf clauses (terms, phrases, prefixes, fuzzy terms); the forgiving parser drops the rest.
    public static let maximumClauses = 1_024

    /// The operator between clauses with none written between them.
    public let defaultOperator: Operator
    /// When set, the only field names `field:` may use.
    public let knownFields: Set<String>?

    /// A parser joining bare clauses with `defaultOperator` and, when given, accepting only `knownFields`.
    public init(defaultOperator: Operator = .or, knownFields: Set<String>? = nil) {
        self.defaultOperator = defaultOperator
        self.knownFields = knownFields
    }

    /// The query of `text`, or the first syntax error in it.
    public func parseStrict(_ text: String) throws(QueryParseError) -> Query {
        let input = QueryLexer.Input(text, limit: Self.maximumLength + 1)
        if input.count > Self.maximumLength {
            throw QueryParseError(.tooLong(limit: Self.maximumLength), at: Self.maximumLength)
        }
        return try parse(try QueryLexer.tokens(of: input, mode: .strict), mode: .strict)
    }

    /// The most reasonable query of `text`, never failing.
    ///
    /// Repairs instead of rejecting: text past `maximumLength` is cut off; an unclosed quote is
    /// only a boundary between words; unbalanced or too-deep parentheses, dangling operators and
    /// modifiers, stray `:` `~` `^`, bad slops, edits and boosts, empty phrases and groups are
    /// dropped (fuzzy edits above 2 become 2); stars other than a trailing one are removed; a
    /// field outside `knownFields` makes `field:value` two plain clauses, `field` and `value`,
    /// joined by the default operator; clauses past `maximumClauses` are dropped. Text with
    /// nothing usable is `.matchNone`.
    public func parseForgiving(_ text: String) -> Query {
        do {
            let tokens = try QueryLexer.tokens(
                of: QueryLexer.Input(text, limit: Self.maximumLength), mode: .forgiving)
            let repaired = Self.balancingParentheses(tokens)
            return try parse(repaired, mode: .forgiving)
        } catch {
            // Unreachable: forgiving mode reports no problem by throwing.
            assertionFailure("the forgiving parser threw \(error)")
            return .matchNone
        }
    }

    private func parse(_ tokens: [QueryToken], mode: QueryParseMode) throws(QueryParseError) -> Query {
        var parser = QueryTokenParser(
            tokens: tokens, mode: mode, defaultOperator: defaultOperator, knownFields: knownFields)
        return try parser.parseQuery()
    }

    /// `tokens` without a `)` that closes nothing and without parentheses nested deeper than
    /// `maximumDepth` (with their partners); an unclosed `(` is left for the parser to close at the end.
    static func balancingParentheses(_ tokens: [QueryToken]) -> [QueryToken] {
        var kept: [QueryToken] = []
        kept.reserveCapacity(tokens.count)
        var open: [Bool] = []  // for each open group: whether its `(` was kept
        var keptDepth = 0
        for token in tokens {
            switch token.kind {
            case .leftParenthesis:
                let keep = keptDepth < maximumDepth
                open.append(keep)
                if keep {
                    keptDepth += 1
                    kept.append(token)
                }
            case .rightParenthesis:
                guard let wasKept = open.popLast() else { continue }
                if wasKept {
                    keptDepth -= 1
                    kept.append(token)
                }
            default:
                kept.append(token)
            }
        }
        return kept
    }
}
