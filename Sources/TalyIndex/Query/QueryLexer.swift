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
struct QueryLexer {
    private let characters: [Character]
    private let mode: QueryParseMode
    private var offset = 0
    private var tokens: [QueryToken] = []

    private init(characters: [Character], mode: QueryParseMode) {
        self.characters = characters
        self.mode = mode
    }

    /// The tokens of `characters`; in forgiving mode bad pieces are dropped instead of thrown.
    static func tokens(of characters: [Character], mode: QueryParseMode) throws(QueryParseError) -> [QueryToken] {
        var lexer = QueryLexer(characters: characters, mode: mode)
        try lexer.run()
        return lexer.tokens
    }

    /// `Character.isWhitespace` without its Unicode property lookup for ASCII (measured at a sixth of a
    /// three-word query's parse).
    @inline(__always)
    private static func isWhitespace(_ character: Character) -> Bool {
        if let ascii = character.asciiValue { return ascii == 0x20 || (ascii >= 0x09 && ascii <= 0x0D) }
        return character.isWhitespace
    }

    /// Characters that end a word (besides whitespace).
    private static func endsWord(_ character: Character) -> Bool {
        switch character {
        case "(", ")", ":", "^", "\"", "~": true
        default: false
        }
    }

    private mutating func run() throws(QueryParseError) {
        while offset < characters.count {
            let character = characters[offset]
            switch character {
            case _ where Self.isWhitespace(character): offset += 1
            case "\"": try lexPhrase()
            case "(": emitSingle(.leftParenthesis)
            case ")": emitSingle(.rightParenthesis)
            case ":": emitSingle(.colon)
            case "+": emitSingle(.required)
            case "-", "!": emitSingle(.prohibited)
            case "~": lexModifier { .tilde(argument: $0) }
            case "^": lexModifier { .caret(argument: $0) }
            default: try lexWord()
            }
        }
    }

    private mutating func emitSingle(_ kind: QueryToken.Kind) {
        tokens.append(QueryToken(kind: kind, position: offset, spelling: String(characters[offset])))
        offset += 1
    }

    /// `~` or `^` with the run of ASCII digits and dots after it, as Lucene's `FUZZY_SLOP`.
    private mutating func lexModifier(_ make: (String) -> QueryToken.Kind) {
        let start = offset
        offset += 1
        var argument = ""
        while offset < characters.count, characters[offset].isASCII,
            characters[offset].isNumber || characters[offset] == "."
        {
            argument.append(characters[offset])
            offset += 1
        }
        tokens.append(QueryToken(kind: make(argument), position: start, spelling: String(characters[start..<offset])))
    }

    private mutating func lexPhrase() throws(QueryParseError) {
        let start = offset
        var text = ""
        var index = offset + 1
        while index < characters.count {
            let character = characters[index]
            if character == "\\", index + 1 < characters.count {
                text.append(characters[index + 1])
                index += 2
            } else if character == "\"" {
                let spelling = String(characters[start...index])
                tokens.append(QueryToken(kind: .phrase(text), position: start, spelling: spelling))
                offset = index + 1
                return
            } else {
                text.append(character)
                index += 1
            }
        }
        try mode.report(.unclosedQuote, at: start)
        // Forgiving: the lone quote is only a boundary; what follows is lexed as plain text.
        offset = start + 1
    }

    private mutating func lexWord() throws(QueryParseError) {
        let start = offset
        var text: [Character] = []
        var starIndices: [Int] = []  // indices into `text` of unescaped stars
        var starPositions: [Int] = []  // their offsets in the query
        var escaped = false
        while offset < characters.count {
            let character = characters[offset]
            if character == "\\" {
                guard offset + 1 < characters.count else {
                    try mode.report(.danglingEscape, at: offset)
                    offset += 1
                    break
                }
                text.append(characters[offset + 1])
                escaped = true
                offset += 2
                continue
            }
            if Self.isWhitespace(character) || Self.endsWord(character) { break }
            if character == "*" {
                starIndices.append(text.count)
                starPositions.append(offset)
            }
            text.append(character)
            offset += 1
        }
        let spelling = string(start..<offset)
        if !escaped, let kind = Self.operatorKind(spelling) {
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

    /// The characters of `range` as a `String`: ASCII ones written as bytes at once (building a `String`
    /// from `Character`s appends them one by one: a sixth of a short query's parse), others as they are.
    private func string(_ range: Range<Int>) -> String {
        let count = range.count
        let ascii = String(unsafeUninitializedCapacity: count) { bytes in
            for index in 0..<count {
                // "\r\n" reports the ASCII value of "\n": line feeds (escaped ones) take the general path.
                guard let byte = characters[range.lowerBound + index].asciiValue, byte != 0x0A else { return 0 }
                bytes[index] = byte
            }
            return count
        }
        return ascii.utf8.count == count ? ascii : String(characters[range])
    }

    private static func operatorKind(_ spelling: String) -> QueryToken.Kind? {
        switch spelling {
        case "AND", "&&": .and
        case "OR", "||": .or
        case "NOT": .prohibited
        default: nil
        }
    }

    /// The word without its unescaped stars, and whether it is a prefix; `nil` when nothing is left.
    private func resolveStars(
        _ text: [Character], _ starIndices: [Int], _ starPositions: [Int]
    ) throws(QueryParseError) -> (String, Bool)? {
        if starIndices.isEmpty { return text.isEmpty ? nil : (String(text), false) }
        if starIndices == [text.count - 1], text.count > 1 { return (String(text.dropLast()), true) }
        if starIndices[0] == 0 {
            try mode.report(.leadingWildcard, at: starPositions[0])
        } else {
            try mode.report(.innerWildcard, at: starPositions[0])
        }
        // Forgiving: keep the letters; a star at the very end still makes a prefix.
        let isPrefix = starIndices.last == text.count - 1
        var kept: [Character] = []
        var nextStar = 0
        for (index, character) in text.enumerated() {
            if nextStar < starIndices.count, starIndices[nextStar] == index {
                nextStar += 1
            } else {
                kept.append(character)
            }
        }
        return kept.isEmpty ? nil : (String(kept), isPrefix)
    }
}
