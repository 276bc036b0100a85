/// Whether a parse stops at the first syntax error or repairs it and goes on.
enum QueryParseMode: Sendable {
    /// Throw `QueryParseError` at the first problem.
    case strict
    /// Drop or reinterpret what cannot be used; never throw.
    case forgiving
}

extension QueryParseMode {
    /// Throws `problem` in strict mode; returns in forgiving mode, where the caller repairs.
    func report(_ problem: QueryParseError.Problem, at position: Int) throws(QueryParseError) {
        if self == .strict { throw QueryParseError(problem, at: position) }
    }
}

/// One lexical unit of a query, with the `Character` offset where it starts.
struct QueryToken: Sendable, Equatable {
    /// What the token is.
    enum Kind: Sendable, Equatable {
        /// A bare word, escapes resolved; `isPrefix` when it ended with an unescaped `*` (removed).
        case word(String, isPrefix: Bool)
        /// The text between quotes, escapes resolved.
        case phrase(String)
        /// `+`.
        case required
        /// `-`, `!` or `NOT`.
        case prohibited
        /// `AND` or `&&`.
        case and
        /// `OR` or `||`.
        case or
        /// `(`.
        case leftParenthesis
        /// `)`.
        case rightParenthesis
        /// `:`.
        case colon
        /// `~` and the digits and dots right after it (possibly none).
        case tilde(argument: String)
        /// `^` and the digits and dots right after it (possibly none).
        case caret(argument: String)
    }

    /// What the token is.
    var kind: Kind
    /// The offset in `Character`s of its first character.
    var position: Int
    /// The token as typed, for error messages.
    var spelling: String
}

/// Splits query text into tokens, Lucene's classic lexer rules with a smaller alphabet.
///
/// Whitespace separates tokens; `( ) : ^ " ~` end a word; `+ - !` are operators only at the start
/// of a token (`foo-bar` and `c++` are words); `\` escapes any character. `?`, `[`, `]`, `{`,
/// `}` and `/` are ordinary characters (no single-character wildcards, ranges or regular
/// expressions).
///
/// The text is lexed as one integer unit per `Character`: an ASCII character is its byte, any other
/// (and "\r\n", one `Character` of two bytes) an index into a side table, so the loops compare
/// integers instead of `Character`s (each comparison a `String` comparison) and ASCII text, nearly every
/// query, skips grapheme breaking altogether. Unit offsets are `Character` offsets.
struct QueryLexer {
    /// Units at and above this mark index ``others``.
    private static let otherMark: UInt32 = 0x8000_0000
    private let units: [UInt32]
    /// The `Character`s that are not single ASCII bytes, in order of appearance.
    private let others: [Character]
    private let mode: QueryParseMode
    private var offset = 0
    private var tokens: [QueryToken] = []

    private init(units: [UInt32], others: [Character], mode: QueryParseMode) {
        self.units = units
        self.others = others
        self.mode = mode
    }

    /// Query text as lexer units: the first `limit` `Character`s of a `String`.
    struct Input {
        fileprivate var units: [UInt32] = []
        fileprivate var others: [Character] = []

        /// The `Character`s read.
        var count: Int { units.count }

        /// `generalPath` forces the per-`Character` path for ASCII text (tests compare it with the byte path).
        init(_ text: String, limit: Int, generalPath: Bool = false) {
            if !generalPath {
                units.reserveCapacity(min(text.utf8.count, limit))
                var ascii = true
                var previous: UInt8 = 0
                for byte in text.utf8 {
                    // A carriage return before a line feed forms one `Character`: the general path takes it.
                    if byte >= 0x80 || (byte == 0x0A && previous == 0x0D) {
                        ascii = false
                        break
                    }
                    if units.count == limit { break }
                    units.append(UInt32(byte))
                    previous = byte
                }
                if ascii { return }
                units.removeAll(keepingCapacity: true)
            }
            for character in text.prefix(limit) {
                // "\r\n" reports the ASCII value of "\n": it goes to the side table like non-ASCII ones.
                if let byte = character.asciiValue, character.utf8.count == 1 {
                    units.append(UInt32(byte))
                } else {
                    units.append(QueryLexer.otherMark | UInt32(others.count))
                    others.append(character)
                }
            }
        }
    }

    /// The tokens of `input`; in forgiving mode bad pieces are dropped instead of thrown.
    static func tokens(of input: Input, mode: QueryParseMode) throws(QueryParseError) -> [QueryToken] {
        var lexer = QueryLexer(units: input.units, others: input.others, mode: mode)
        try lexer.run()
        return lexer.tokens
    }

    /// The unit of an ASCII character.
    @inline(__always)
    private static func unit(_ ascii: Unicode.Scalar) -> UInt32 { ascii.value }

    /// Whitespace: ASCII without a Unicode property lookup.
    @inline(__always)
    private func isWhitespace(_ unit: UInt32) -> Bool {
        if unit < Self.otherMark { return unit == 0x20 || (unit >= 0x09 && unit <= 0x0D) }
        return others[Int(unit & ~Self.otherMark)].isWhitespace
    }

    /// Characters that end a word (besides whitespace).
    @inline(__always)
    private static func endsWord(_ unit: UInt32) -> Bool {
        switch unit {
        case Self.unit("("), Self.unit(")"), Self.unit(":"), Self.unit("^"), Self.unit("\""), Self.unit("~"): true
        default: false
        }
    }

    /// Appends the UTF-8 of `unit`'s character to `bytes`.
    @inline(__always)
    private func append(_ unit: UInt32, to bytes: inout [UInt8]) {
        if unit < Self.otherMark {
            bytes.append(UInt8(truncatingIfNeeded: unit))
        } else {
            bytes.append(contentsOf: others[Int(unit & ~Self.otherMark)].utf8)
        }
    }

    /// The text of `units` (a `String` is the concatenation of its `Character`s' UTF-8).
    private func string(_ units: some Collection<UInt32>) -> String {
        if units.allSatisfy({ $0 < 0x80 }) {
            // ASCII, nearly every token: written straight into the string (a short one stays inline,
            // with no allocation at all).
            return String(unsafeUninitializedCapacity: units.count) { buffer in
                var count = 0
                for unit in units {
                    buffer[count] = UInt8(truncatingIfNeeded: unit)
                    count += 1
                }
                return count
            }
        }
        var bytes: [UInt8] = []
        for unit in units { append(unit, to: &bytes) }
        return String(decoding: bytes, as: UTF8.self)
    }

    private mutating func run() throws(QueryParseError) {
        while offset < units.count {
            let unit = units[offset]
            switch unit {
            case _ where isWhitespace(unit): offset += 1
            case Self.unit("\""): try lexPhrase()
            case Self.unit("("): emitSingle(.leftParenthesis)
            case Self.unit(")"): emitSingle(.rightParenthesis)
            case Self.unit(":"): emitSingle(.colon)
            case Self.unit("+"): emitSingle(.required)
            case Self.unit("-"), Self.unit("!"): emitSingle(.prohibited)
            case Self.unit("~"): lexModifier { .tilde(argument: $0) }
            case Self.unit("^"): lexModifier { .caret(argument: $0) }
            default: try lexWord()
            }
        }
    }

    private mutating func emitSingle(_ kind: QueryToken.Kind) {
        tokens.append(QueryToken(kind: kind, position: offset, spelling: string(units[offset..<offset + 1])))
        offset += 1
    }

    /// `~` or `^` with the run of ASCII digits and dots after it, as Lucene's `FUZZY_SLOP`.
    private mutating func lexModifier(_ make: (String) -> QueryToken.Kind) {
        let start = offset
        offset += 1
        while offset < units.count, (0x30...0x39).contains(units[offset]) || units[offset] == Self.unit(".") {
            offset += 1
        }
        tokens.append(
            QueryToken(
                kind: make(string(units[start + 1..<offset])), position: start, spelling: string(units[start..<offset]))
        )
    }

    private mutating func lexPhrase() throws(QueryParseError) {
        let start = offset
        var text: [UInt8] = []
        var index = offset + 1
        while index < units.count {
            let unit = units[index]
            if unit == Self.unit("\\"), index + 1 < units.count {
                append(units[index + 1], to: &text)
                index += 2
            } else if unit == Self.unit("\"") {
                let spelling = string(units[start...index])
                tokens.append(
                    QueryToken(
                        kind: .phrase(String(decoding: text, as: UTF8.self)), position: start, spelling: spelling))
                offset = index + 1
                return
            } else {
                append(unit, to: &text)
                index += 1
            }
        }
        try mode.report(.unclosedQuote, at: start)
        // Forgiving: the lone quote is only a boundary; what follows is lexed as plain text.
        offset = start + 1
    }

    private mutating func lexWord() throws(QueryParseError) {
        let start = offset
        // A word without escapes and stars, nearly every one, is its spelling: scanned without building
        // its text apart.
        while offset < units.count {
            let unit = units[offset]
            if unit == Self.unit("\\") || unit == Self.unit("*") {
                offset = start
                return try lexWordWithEscapesOrStars()
            }
            if isWhitespace(unit) || Self.endsWord(unit) { break }
            offset += 1
        }
        let spelling = string(units[start..<offset])
        let kind = Self.operatorKind(units[start..<offset]) ?? .word(spelling, isPrefix: false)
        tokens.append(QueryToken(kind: kind, position: start, spelling: spelling))
    }

    private mutating func lexWordWithEscapesOrStars() throws(QueryParseError) {
        let start = offset
        var text: [UInt32] = []
        var starIndices: [Int] = []  // indices into `text` of unescaped stars
        var starPositions: [Int] = []  // their offsets in the query
        var escaped = false
        while offset < units.count {
            let unit = units[offset]
            if unit == Self.unit("\\") {
                guard offset + 1 < units.count else {
                    try mode.report(.danglingEscape, at: offset)
                    offset += 1
                    break
                }
                text.append(units[offset + 1])
                escaped = true
                offset += 2
                continue
            }
            if isWhitespace(unit) || Self.endsWord(unit) { break }
            if unit == Self.unit("*") {
                starIndices.append(text.count)
                starPositions.append(offset)
            }
            text.append(unit)
            offset += 1
        }
        let spelling = string(units[start..<offset])
        if !escaped, let kind = Self.operatorKind(units[start..<offset]) {
            tokens.append(QueryToken(kind: kind, position: start, spelling: spelling))
            return
        }
        if !escaped && starIndices.isEmpty && text.count == offset - start {
            // A plain word is its spelling: no second String built from the same characters.
            tokens.append(QueryToken(kind: .word(spelling, isPrefix: false), position: start, spelling: spelling))
            return
        }
        guard let (word, isPrefix) = try resolveStars(text, starIndices, starPositions) else { return }
        tokens.append(QueryToken(kind: .word(word, isPrefix: isPrefix), position: start, spelling: spelling))
    }

    private static func operatorKind(_ spelling: ArraySlice<UInt32>) -> QueryToken.Kind? {
        guard spelling.count == 2 || spelling.count == 3 else { return nil }
        // The spelling's units in one integer, first unit highest (every operator is ASCII).
        var packed: UInt64 = 0
        for unit in spelling {
            guard unit < 0x80 else { return nil }
            packed = packed << 8 | UInt64(unit)
        }
        switch packed {
        case 0x41_4E44, 0x2626: return .and  // AND, &&
        case 0x4F52, 0x7C7C: return .or  // OR, ||
        case 0x4E_4F54: return .prohibited  // NOT
        default: return nil
        }
    }

    /// The word without its unescaped stars, and whether it is a prefix; `nil` when nothing is left.
    private func resolveStars(
        _ text: [UInt32], _ starIndices: [Int], _ starPositions: [Int]
    ) throws(QueryParseError) -> (String, Bool)? {
        if starIndices.isEmpty { return text.isEmpty ? nil : (string(text), false) }
        if starIndices == [text.count - 1], text.count > 1 { return (string(text.dropLast()), true) }
        if starIndices[0] == 0 {
            try mode.report(.leadingWildcard, at: starPositions[0])
        } else {
            try mode.report(.innerWildcard, at: starPositions[0])
        }
        // Forgiving: keep the letters; a star at the very end still makes a prefix.
        let isPrefix = starIndices.last == text.count - 1
        var kept: [UInt32] = []
        var nextStar = 0
        for (index, unit) in text.enumerated() {
            if nextStar < starIndices.count, starIndices[nextStar] == index {
                nextStar += 1
            } else {
                kept.append(unit)
            }
        }
        return kept.isEmpty ? nil : (string(kept), isPrefix)
    }
}
