import CTalyICU

/// The ASCII fast path of the standard analyzer: UAX #29 word segmentation and case folding
/// restricted to ASCII input. It yields exactly the tokens
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
///
/// Since these rules look at most one byte to each side, they are evaluated for 64 bytes at a
/// time by a vector kernel (`taly_ascii_words` in CTalyICU: SSE2 or AVX2 compares, bit masks),
/// which also folds case; this type turns the mask of word bytes into tokens. A word's term is
/// its own slice of the folded text, so the arena holds the whole folded value and no term is
/// copied. That trades arena space (the separators stay) for one pass without per-token copies.
enum ASCIIWordTokenizer {
    /// Appends the tokens of `bytes` to `tokens` and returns true, or returns false without
    /// adding tokens when `bytes` is not ASCII (the caller then takes the ICU path). Word
    /// segments longer than `maximumTokenLength` are dropped but still consume a position.
    ///
    /// Assumes (and does not check) that `bytes.count` <= `Int32.max`.
    static func tokenize(
        _ bytes: UnsafeRawBufferPointer, maximumTokenLength: Int, into tokens: inout TokenBuffer,
        implementation: Int32 = TALY_ASCII_WORDS_BEST
    ) -> Bool {
        guard let text = bytes.baseAddress, !bytes.isEmpty else { return true }
        let count = bytes.count
        var arena = tokens.takeTermBytes()
        var records = tokens.takeRecords()
        var (masks, scratch) = tokens.takeScratch()
        defer {
            tokens.restoreTermBytes(arena)
            tokens.restoreRecords(records)
            tokens.restoreScratch(masks, scratch)
        }
        let arenaStart = arena.count
        arena.append(contentsOf: UnsafeRawBufferPointer(start: text, count: count))
        let maskCount = (count &+ 63) / 64
        if masks.count < maskCount {
            masks = [UInt64](repeating: 0, count: maskCount)
        }
        let segments = arena.withUnsafeMutableBufferPointer { folded in
            masks.withUnsafeMutableBufferPointer { masks in
                taly_ascii_words(
                    folded.baseAddress! + arenaStart, Int64(count), masks.baseAddress!, implementation)
            }
        }
        guard segments >= 0 else {
            arena.removeLast(count)
            return false
        }
        // Records are written through a pointer into a scratch array with a slot per segment (so
        // the loop never checks capacity), then appended in one copy.
        if scratch.count < Int(segments) {
            scratch = [AnalyzedToken](repeating: emptyRecord, count: Int(segments))
        }
        let written = arena.withUnsafeBufferPointer { folded in
            masks.withUnsafeBufferPointer { masks in
                scratch.withUnsafeMutableBufferPointer { scratch in
                    emit(
                        masks: UnsafeBufferPointer(rebasing: masks[..<maskCount]), count: count,
                        folded: folded.baseAddress! + arenaStart, arenaStart: arenaStart,
                        maximumTokenLength: maximumTokenLength, into: scratch.baseAddress!)
                }
            }
        }
        scratch.withUnsafeBufferPointer { scratch in
            records.append(contentsOf: UnsafeBufferPointer(rebasing: scratch[..<written]))
        }
        return true
    }

    private static let emptyRecord = AnalyzedToken(
        termStart: 0, termLength: 0, position: 0, startOffset: 0, endOffset: 0)

    /// Writes one record per kept word segment of the word-byte bit masks and returns how many.
    ///
    /// A segment is a maximal run of set bits; its bounds are the bits where the mask changes,
    /// which alternate start, end, start… Keeping or dropping a segment is computed, not
    /// branched on: the record is always written and the cursor advances only when kept, since
    /// which words are too long or a lone `_` is unpredictable.
    private static func emit(
        masks: UnsafeBufferPointer<UInt64>, count: Int, folded: UnsafePointer<UInt8>, arenaStart: Int,
        maximumTokenLength: Int, into output: UnsafeMutablePointer<AnalyzedToken>
    ) -> Int {
        var written = 0
        var position: UInt32 = 0
        var start = 0
        var inWord = false
        var previousBit: UInt64 = 0
        var base = 0
        for mask in masks {
            var changes = mask ^ ((mask << 1) | previousBit)
            previousBit = mask >> 63
            // Changes alternate start, end, start…: take them two at a time. Only a word that
            // crosses from the previous mask starts with an end.
            if inWord && changes != 0 {
                record(
                    start: start, end: base &+ changes.trailingZeroBitCount, folded: folded, arenaStart: arenaStart,
                    maximumTokenLength: maximumTokenLength, output: output, written: &written, position: &position)
                changes &= changes &- 1
                inWord = false
            }
            while changes != 0 {
                start = base &+ changes.trailingZeroBitCount
                changes &= changes &- 1
                if changes == 0 {
                    inWord = true
                    break
                }
                record(
                    start: start, end: base &+ changes.trailingZeroBitCount, folded: folded, arenaStart: arenaStart,
                    maximumTokenLength: maximumTokenLength, output: output, written: &written, position: &position)
                changes &= changes &- 1
            }
            base &+= 64
        }
        if inWord {
            record(
                start: start, end: count, folded: folded, arenaStart: arenaStart,
                maximumTokenLength: maximumTokenLength, output: output, written: &written, position: &position)
        }
        return written
    }

    /// Writes the record of the segment `start..<end`, keeping it unless it is too long or a
    /// lone `_`, which ICU gives the non-word status 0 (so it takes no position either).
    @inline(__always)
    private static func record(
        start: Int, end: Int, folded: UnsafePointer<UInt8>, arenaStart: Int, maximumTokenLength: Int,
        output: UnsafeMutablePointer<AnalyzedToken>, written: inout Int, position: inout UInt32
    ) {
        let length = end &- start
        // Integer flags rather than `&&`/`||`: short-circuiting would branch on the word's length.
        let first = folded[start]
        let word: UInt32 = (length == 1 ? 1 : 0) & (first == UInt8(ascii: "_") ? 1 : 0) ^ 1
        let short: UInt32 = length <= maximumTokenLength ? 1 : 0
        output[written] = AnalyzedToken(
            termStart: UInt32(truncatingIfNeeded: arenaStart &+ start), termLength: UInt32(truncatingIfNeeded: length),
            position: position, startOffset: UInt32(truncatingIfNeeded: start),
            endOffset: UInt32(truncatingIfNeeded: end))
        written &+= Int(word & short)
        position &+= word
    }
}
