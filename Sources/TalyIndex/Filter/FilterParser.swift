/// Parses the filter syntax (Meilisearch's, with the same precedence: `NOT` binds tightest, then
/// `AND`, then `OR`) into a ``Filter``, checking fields and values against a schema:
///
/// ```
/// category = books AND (price >= 10 OR tag IN [a, "b c"]) AND NOT discontinued EXISTS
/// ```
///
/// Conditions: `field = v`, `field != v`, `field < v` (also `<=`, `>`, `>=`), `field v1 TO v2`
/// (both included), `field IN [v, …]`, `field NOT IN [v, …]`, `field EXISTS`,
/// `field NOT EXISTS`. Values are bare words (`books`, `-3.5`, `2026-11-29`) or quoted with `"` or
/// `'` (a `\` escapes the next character). Keyword fields take any value as text; int64 and double
/// fields take numbers; date fields take ISO 8601 dates or date-times, or integer milliseconds.
/// Operator words are case-insensitive. Every error names its position in characters.
public struct FilterParser: Sendable {
    /// Longest filter text accepted, in characters.
    public static let maximumLength = 16_384
    /// Deepest nesting of groups and `NOT`s accepted (the parser recurses per level).
    public static let maximumDepth = 64

    /// The schema whose fields filters name.
    public let schema: Schema

    /// A parser for filters on `schema`'s fields.
    public init(schema: Schema) { self.schema = schema }

    /// The filter `text` spells.
    public func parse(_ text: String) throws(FilterError) -> Filter {
        let characters = Array(text)
        guard characters.count <= Self.maximumLength else { throw FilterError(.tooLong(limit: Self.maximumLength)) }
        var state = FilterTokenStream(characters: characters)
        try state.advance()
        let filter = try parseOr(&state, depth: 0)
        guard case .end = state.token.kind else {
            throw FilterError(.expected("AND, OR or the end", found: state.token.spelling), at: state.token.position)
        }
        return filter
    }

    private func parseOr(_ state: inout FilterTokenStream, depth: Int) throws(FilterError) -> Filter {
        var clauses = [try parseAnd(&state, depth: depth)]
        while state.token.isWord("OR") {
            try state.advance()
            clauses.append(try parseAnd(&state, depth: depth))
        }
        return clauses.count == 1 ? clauses[0] : .or(clauses)
    }

    private func parseAnd(_ state: inout FilterTokenStream, depth: Int) throws(FilterError) -> Filter {
        var clauses = [try parseUnary(&state, depth: depth)]
        while state.token.isWord("AND") {
            try state.advance()
            clauses.append(try parseUnary(&state, depth: depth))
        }
        return clauses.count == 1 ? clauses[0] : .and(clauses)
    }

    private func parseUnary(_ state: inout FilterTokenStream, depth: Int) throws(FilterError) -> Filter {
        guard depth < Self.maximumDepth else {
            throw FilterError(.tooDeep(limit: Self.maximumDepth), at: state.token.position)
        }
        if state.token.isWord("NOT") {
            try state.advance()
            return .not(try parseUnary(&state, depth: depth + 1))
        }
        if case .open = state.token.kind {
            try state.advance()
            let inner = try parseOr(&state, depth: depth + 1)
            guard case .close = state.token.kind else {
                throw FilterError(.expected("')'", found: state.token.spelling), at: state.token.position)
            }
            try state.advance()
            return inner
        }
        return try parseCondition(&state)
    }

    private func parseCondition(_ state: inout FilterTokenStream) throws(FilterError) -> Filter {
        let fieldToken = state.token
        guard case .word(let name, quoted: false) = fieldToken.kind else {
            throw FilterError(.expected("a field name", found: fieldToken.spelling), at: fieldToken.position)
        }
        let type = try FilterValueChecker.filterableType(of: name, in: schema, at: fieldToken.position)
        try state.advance()
        let operatorToken = state.token
        func value(_ state: inout FilterTokenStream) throws(FilterError) -> FilterValue {
            try parseValue(&state, field: name, type: type)
        }
        func bound(_ state: inout FilterTokenStream, inclusive: Bool) throws(FilterError) -> FilterBound {
            try state.advance()
            return FilterBound(try value(&state), inclusive: inclusive)
        }
        switch operatorToken.kind {
        case .equal:
            try state.advance()
            return .equal(field: name, try value(&state))
        case .notEqual:
            try state.advance()
            return .notEqual(field: name, try value(&state))
        case .less: return .range(field: name, lower: nil, upper: try bound(&state, inclusive: false))
        case .lessOrEqual: return .range(field: name, lower: nil, upper: try bound(&state, inclusive: true))
        case .greater: return .range(field: name, lower: try bound(&state, inclusive: false), upper: nil)
        case .greaterOrEqual: return .range(field: name, lower: try bound(&state, inclusive: true), upper: nil)
        default: break
        }
        if operatorToken.isWord("EXISTS") {
            try state.advance()
            return .exists(field: name)
        }
        if operatorToken.isWord("IN") {
            try state.advance()
            return .oneOf(field: name, try parseList(&state, field: name, type: type))
        }
        if operatorToken.isWord("NOT") {
            try state.advance()
            if state.token.isWord("EXISTS") {
                try state.advance()
                return .not(.exists(field: name))
            }
            guard state.token.isWord("IN") else {
                throw FilterError(
                    .expected("IN or EXISTS after NOT", found: state.token.spelling), at: state.token.position)
            }
            try state.advance()
            return .not(.oneOf(field: name, try parseList(&state, field: name, type: type)))
        }
        if case .word = operatorToken.kind {
            let lower = try value(&state)
            guard state.token.isWord("TO") else {
                throw FilterError(.expected("TO", found: state.token.spelling), at: state.token.position)
            }
            try state.advance()
            return .between(name, lower, try value(&state))
        }
        throw FilterError(
            .expected(
                "an operator (=, !=, <, <=, >, >=, IN, NOT IN, EXISTS, NOT EXISTS, TO)", found: operatorToken.spelling),
            at: operatorToken.position)
    }

    private func parseList(_ state: inout FilterTokenStream, field: String, type: FieldType) throws(FilterError)
        -> [FilterValue]
    {
        guard case .openList = state.token.kind else {
            throw FilterError(.expected("'['", found: state.token.spelling), at: state.token.position)
        }
        try state.advance()
        var values: [FilterValue] = []
        if case .closeList = state.token.kind {
            try state.advance()
            return values
        }
        while true {
            values.append(try parseValue(&state, field: field, type: type))
            switch state.token.kind {
            case .comma: try state.advance()
            case .closeList:
                try state.advance()
                return values
            default: throw FilterError(.expected("',' or ']'", found: state.token.spelling), at: state.token.position)
            }
        }
    }

    /// Reads one value token and converts it to what `type` compares with.
    private func parseValue(_ state: inout FilterTokenStream, field: String, type: FieldType) throws(FilterError)
        -> FilterValue
    {
        let token = state.token
        guard case .word(let text, _) = token.kind else {
            throw FilterError(.expected("a value", found: token.spelling), at: token.position)
        }
        let value: FilterValue?
        switch type {
        case .keyword, .text: value = .string(text)
        case .int64, .double:
            value = Int64(text).map(FilterValue.integer) ?? Double(text).flatMap { $0.isNaN ? nil : .double($0) }
        case .date:
            value = Int64(text).map(FilterValue.integer) ?? Schema.parseISO8601(text).map { .date(milliseconds: $0) }
        }
        guard let value else {
            throw FilterError(.wrongValueType(field: field, type: type.name, value: token.spelling), at: token.position)
        }
        try state.advance()
        return value
    }
}

/// One token of the filter syntax, with its position in characters.
struct FilterToken {
    enum Kind: Equatable {
        case word(String, quoted: Bool)
        case open, close, openList, closeList, comma
        case equal, notEqual, less, lessOrEqual, greater, greaterOrEqual
        case end
    }

    var kind: Kind
    var position: Int

    /// True for the bare word `keyword`, in any case.
    func isWord(_ keyword: String) -> Bool {
        if case .word(let text, quoted: false) = kind { return text.uppercased() == keyword }
        return false
    }

    /// How the token reads in an error message.
    var spelling: String {
        switch kind {
        case .word(let text, let quoted): quoted ? "\"\(text)\"" : "'\(text)'"
        case .open: "'('"
        case .close: "')'"
        case .openList: "'['"
        case .closeList: "']'"
        case .comma: "','"
        case .equal: "'='"
        case .notEqual: "'!='"
        case .less: "'<'"
        case .lessOrEqual: "'<='"
        case .greater: "'>'"
        case .greaterOrEqual: "'>='"
        case .end: "the end"
        }
    }
}

/// The lexer: the current token over the filter's characters.
struct FilterTokenStream {
    let characters: [Character]
    private var offset = 0
    private(set) var token = FilterToken(kind: .end, position: 0)

    init(characters: [Character]) { self.characters = characters }

    private static let delimiters: Set<Character> = ["(", ")", "[", "]", ",", "=", "!", "<", ">", "\"", "'"]

    /// Moves to the next token.
    mutating func advance() throws(FilterError) {
        while offset < characters.count && characters[offset].isWhitespace { offset += 1 }
        let start = offset
        guard offset < characters.count else {
            token = FilterToken(kind: .end, position: start)
            return
        }
        let character = characters[offset]
        offset += 1
        let next: Character? = offset < characters.count ? characters[offset] : nil
        func symbol(_ kind: FilterToken.Kind, length: Int = 1) -> FilterToken {
            offset = start + length
            return FilterToken(kind: kind, position: start)
        }
        switch character {
        case "(": token = symbol(.open)
        case ")": token = symbol(.close)
        case "[": token = symbol(.openList)
        case "]": token = symbol(.closeList)
        case ",": token = symbol(.comma)
        case "=": token = symbol(.equal)
        case "!":
            guard next == "=" else { throw FilterError(.expected("'!='", found: "'!'"), at: start) }
            token = symbol(.notEqual, length: 2)
        case "<": token = next == "=" ? symbol(.lessOrEqual, length: 2) : symbol(.less)
        case ">": token = next == "=" ? symbol(.greaterOrEqual, length: 2) : symbol(.greater)
        case "\"", "'":
            var text = ""
            while true {
                guard offset < characters.count else { throw FilterError(.unclosedQuote, at: start) }
                let inner = characters[offset]
                offset += 1
                if inner == character { break }
                if inner == "\\" {
                    guard offset < characters.count else { throw FilterError(.danglingEscape, at: offset - 1) }
                    text.append(characters[offset])
                    offset += 1
                } else {
                    text.append(inner)
                }
            }
            token = FilterToken(kind: .word(text, quoted: true), position: start)
        default:
            var text = String(character)
            while offset < characters.count, !characters[offset].isWhitespace,
                !Self.delimiters.contains(characters[offset])
            {
                text.append(characters[offset])
                offset += 1
            }
            token = FilterToken(kind: .word(text, quoted: false), position: start)
        }
    }
}
