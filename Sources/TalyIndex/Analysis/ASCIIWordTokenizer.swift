/// The ASCII fast path of the standard analyzer: UAX #29 word segmentation and case folding
/// restricted to ASCII input, as a byte-table loop. It yields exactly the tokens
/// ``ICUWordTokenizer`` yields on the same ASCII text (a seeded property test checks it).
///
/// On ASCII, the UAX #29 word rules (as ICU 72 implements them, root locale) reduce to:
/// - letters, digits and `_` (ALetter, Numeric, ExtendNumLet) always join (WB5, WB8–WB10,
///   WB13a/b), so a run of `[A-Za-z0-9_@]` never breaks;
/// - `@` is a letter: ICU's root rules add it to ALetter so that e-mail addresses stay whole
///   ("user@example.com"), and a lone "@" is a word;
/// - `.` and `'` (MidNumLet, Single_Quote) join a letter to a following letter (WB6/7:
///   "can't", "e.g", "a.b.c") and a digit to a following digit (WB11/12: "3.14");
/// - `,` and `;` (MidNum) join digits only ("1,000", "1;2");
/// - `:` is MidLetter in UAX #29 but ICU's root rules remove it, so "a:b" is two words;
/// - everything else (space, `-`, other punctuation, controls) separates words.
/// (Found by probing ICU 72 with every ASCII byte between letters and digits; the oracle tests
/// keep it honest.) Every segment ICU gives a word status (>= 100) is a token, except a lone
/// `_`, which ICU marks as non-word (status 0) while `__` or `a_` get status 200.
/// NFKC_Casefold on ASCII is lowercasing A–Z.
enum ASCIIWordTokenizer {
    /// Byte classes, as bit flags so the joining tests are one AND each.
    private static let letter: UInt8 = 1
    private static let digit: UInt8 = 2
    private static let underscore: UInt8 = 4
    /// Joins letter-mid-letter (MidLetter or MidNumLet).
    private static let joinsLetters: UInt8 = 8
    /// Joins digit-mid-digit (MidNum or MidNumLet).
    private static let joinsDigits: UInt8 = 16
    /// Set on A–Z only, and equal to the ASCII case bit: `byte | (class & uppercase)` folds.
    private static let uppercase: UInt8 = 0x20
    private static let wordCharacter: UInt8 = letter | digit | underscore

    /// The class of every byte; non-ASCII bytes are never looked up (callers check ASCII first).
    private static let classes: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 256)
        for byte in UInt8(ascii: "a")...UInt8(ascii: "z") { table[Int(byte)] = letter }
        for byte in UInt8(ascii: "A")...UInt8(ascii: "Z") { table[Int(byte)] = letter | uppercase }
        for byte in UInt8(ascii: "0")...UInt8(ascii: "9") { table[Int(byte)] = digit }
        table[Int(UInt8(ascii: "@"))] = letter
        table[Int(UInt8(ascii: "_"))] = underscore
        table[Int(UInt8(ascii: "."))] = joinsLetters | joinsDigits
        table[Int(UInt8(ascii: "'"))] = joinsLetters | joinsDigits
        table[Int(UInt8(ascii: ","))] = joinsDigits
        table[Int(UInt8(ascii: ";"))] = joinsDigits
        return table
    }()

    /// Appends the tokens of the ASCII text `bytes` to `tokens`; word segments whose length is
    /// above `maximumTokenLength` are dropped but still consume a position.
    ///
    /// Assumes (and does not check) that every byte is ASCII and `bytes.count` <= `Int32.max`.
    static func tokenize(_ bytes: UnsafeRawBufferPointer, maximumTokenLength: Int, into tokens: inout TokenBuffer) {
        guard let text = bytes.baseAddress, !bytes.isEmpty else { return }
        let count = bytes.count
        var arena = tokens.takeTermBytes()
        defer { tokens.restoreTermBytes(arena) }
        // Terms are a subset of the text's bytes and folding keeps lengths, so `count` bytes of
        // room suffice: grow once, write through a pointer, trim what was not used.
        let arenaStart = arena.count
        arena.append(contentsOf: repeatElement(0, count: count))
        var arenaEnd = arenaStart
        var position: UInt32 = 0
        // One pass over the text: a word's folded bytes are written while it is scanned, and
        // the write cursor is simply not advanced when the word is dropped. Unchecked arithmetic:
        // every index is below `count`, which fits an Int32.
        classes.withUnsafeBufferPointer { classes in
            arena.withUnsafeMutableBufferPointer { output in
                let out = output.baseAddress!
                var index = 0
                while index < count {
                    let first = text.load(fromByteOffset: index, as: UInt8.self)
                    var kind = classes[Int(first)]
                    if kind & wordCharacter == 0 {
                        index &+= 1
                        continue
                    }
                    let start = index
                    var cursor = arenaEnd
                    out[cursor] = first | (kind & uppercase)
                    cursor &+= 1
                    index &+= 1
                    while index < count {
                        let byte = text.load(fromByteOffset: index, as: UInt8.self)
                        let next = classes[Int(byte)]
                        if next & wordCharacter != 0 {
                            out[cursor] = byte | (next & uppercase)
                            cursor &+= 1
                            kind = next
                            index &+= 1
                            continue
                        }
                        // A mid character joins only between two letters or two digits (WB6/7,
                        // WB11/12); `kind` is the class of the character before it.
                        guard index &+ 1 < count, next & (joinsLetters | joinsDigits) != 0 else { break }
                        let following = text.load(fromByteOffset: index &+ 1, as: UInt8.self)
                        let after = classes[Int(following)]
                        let lettersJoin = kind & after & letter != 0 && next & joinsLetters != 0
                        let digitsJoin = kind & after & digit != 0 && next & joinsDigits != 0
                        guard lettersJoin || digitsJoin else { break }
                        out[cursor] = byte
                        out[cursor &+ 1] = following | (after & uppercase)
                        cursor &+= 2
                        kind = after
                        index &+= 2
                    }
                    let length = index &- start
                    if length == 1 && kind == underscore {
                        continue  // ICU gives a lone "_" the non-word status 0.
                    }
                    defer { position &+= 1 }
                    if length > maximumTokenLength {
                        continue
                    }
                    tokens.appendRecord(
                        AnalyzedToken(
                            termStart: UInt32(truncatingIfNeeded: arenaEnd),
                            termLength: UInt32(truncatingIfNeeded: length),
                            position: position, startOffset: UInt32(truncatingIfNeeded: start),
                            endOffset: UInt32(truncatingIfNeeded: index)))
                    arenaEnd = cursor
                }
            }
        }
        arena.removeLast(arena.count - arenaEnd)
    }
}
