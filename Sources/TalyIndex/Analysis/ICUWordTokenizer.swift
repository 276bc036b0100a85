import CTalyICU

/// The general path of the standard analyzer: ICU's UAX #29 word break iterator (root locale)
/// over the UTF-8 bytes, then NFKC_Casefold of each word.
///
/// Tokens are the segments ICU marks with a word rule status >= 100 (`UBRK_WORD_NONE_LIMIT`):
/// numbers (100), letters (200), kana (300) and ideographs (400); spaces, punctuation and emoji
/// (status 0) are not tokens. ICU segments Chinese and Japanese with a dictionary; like Lucene's
/// StandardTokenizer we then split those segments so that every Han ideograph and every Hiragana
/// character is its own token while Katakana runs stay whole: unigrams match whatever the
/// dictionary would have cut, and a query is segmented the same way as the text.
///
/// Owns ICU handles that are reused across values: not thread-safe, hence not `Sendable`.
final class ICUWordTokenizer {
    /// Segments fetched per C call, as (start, end, status) triples.
    private static let batchSize = 256

    private let breaker: OpaquePointer
    private let folder: ICUCaseFolder
    private var segments: [Int32]

    /// Opens the ICU word break iterator and case folder.
    init() throws(AnalysisError) {
        var code: Int32 = 0
        guard let breaker = taly_word_breaker_open(&code) else {
            throw Self.failure("taly_word_breaker_open", code)
        }
        self.breaker = breaker
        do {
            folder = try ICUCaseFolder()
        } catch {
            taly_word_breaker_close(breaker)
            throw error
        }
        segments = [Int32](repeating: 0, count: 3 * Self.batchSize)
    }

    deinit {
        taly_word_breaker_close(breaker)
    }

    /// Appends the tokens of the UTF-8 text `bytes`; words whose folded length is above
    /// `maximumTokenLength` (or zero) are dropped but still consume a position.
    ///
    /// Assumes `bytes` is valid UTF-8 no longer than `Int32.max`: ICU would replace ill-formed
    /// sequences with U+FFFD instead of failing.
    func tokenize(
        _ bytes: UnsafeRawBufferPointer, maximumTokenLength: Int, into tokens: inout TokenBuffer
    ) throws(AnalysisError) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        let text = base.assumingMemoryBound(to: UInt8.self)
        let setText = taly_word_breaker_set_text(breaker, text, Int64(bytes.count))
        if setText < 0 { throw Self.failure("taly_word_breaker_set_text", setText) }
        // Detach from `bytes` before returning, so the ICU handle never holds a dangling pointer.
        defer { _ = taly_word_breaker_set_text(breaker, nil, 0) }
        var emitter = WordEmitter(text: bytes, maximumTokenLength: maximumTokenLength, folder: folder)
        var arena = tokens.takeTermBytes()
        defer { tokens.restoreTermBytes(arena) }
        while true {
            let found = segments.withUnsafeMutableBufferPointer { segments in
                taly_word_breaker_next_words(breaker, segments.baseAddress, Int32(Self.batchSize))
            }
            if found < 0 { throw Self.failure("taly_word_breaker_next_words", found) }
            if found == 0 { return }
            for index in 0..<Int(found) {
                let start = Int(segments[3 * index])
                let end = Int(segments[3 * index + 1])
                let status = segments[3 * index + 2]
                // UBRK_WORD_KANA (300) and UBRK_WORD_IDEO (400) come from the CJK dictionary.
                if status >= 300 {
                    try emitter.emitSplittingIdeographs(start..<end, arena: &arena, tokens: &tokens)
                } else {
                    try emitter.emit(start..<end, arena: &arena, tokens: &tokens)
                }
            }
        }
    }

    /// An ``AnalysisError`` for a failed CTalyICU call.
    static func failure(_ operation: String, _ code: Int32) -> AnalysisError {
        .icuFailure(operation: operation, code: code, name: String(cString: taly_icu_error_name(code)))
    }
}

@available(*, unavailable, message: "holds ICU handles: use one per thread")
extension ICUWordTokenizer: Sendable {}

/// Folds word segments into the arena and records them, counting positions.
private struct WordEmitter {
    let text: UnsafeRawBufferPointer
    let maximumTokenLength: Int
    let folder: ICUCaseFolder
    var position: UInt32 = 0

    init(text: UnsafeRawBufferPointer, maximumTokenLength: Int, folder: ICUCaseFolder) {
        self.text = text
        self.maximumTokenLength = maximumTokenLength
        self.folder = folder
    }

    /// Emits the word `range` (byte offsets into `text`) as one token.
    mutating func emit(_ range: Range<Int>, arena: inout [UInt8], tokens: inout TokenBuffer) throws(AnalysisError) {
        defer { position += 1 }
        let word = UnsafeRawBufferPointer(rebasing: text[range])
        let termStart = arena.count
        let length: Int
        if UTF8Bytes.isASCII(word) {
            // Most words of mixed-script text are ASCII: lowercase them without calling ICU.
            for byte in word {
                arena.append((0x41...0x5A).contains(byte) ? byte | 0x20 : byte)
            }
            length = word.count
        } else {
            length = try folder.appendFolded(word, to: &arena)
        }
        guard length > 0, length <= maximumTokenLength else {
            arena.removeSubrange(termStart...)
            return
        }
        tokens.appendRecord(
            AnalyzedToken(
                termStart: UInt32(termStart), termLength: UInt32(length), position: position,
                startOffset: UInt32(range.lowerBound), endOffset: UInt32(range.upperBound)))
    }

    /// Emits a dictionary segment of Han, Hiragana or Katakana: each Han ideograph and each
    /// Hiragana character alone, runs of anything else (Katakana, prolonged sound marks) together;
    /// combining marks and variation selectors stay with the character before them.
    mutating func emitSplittingIdeographs(
        _ range: Range<Int>, arena: inout [UInt8], tokens: inout TokenBuffer
    ) throws(AnalysisError) {
        var pieceStart = range.lowerBound
        var pieceIsSingle = false
        var index = range.lowerBound
        while index < range.upperBound {
            let (scalar, width) = Self.decodeScalar(in: text, at: index)
            let properties = scalar.properties
            let attaches =
                properties.isVariationSelector
                || [.nonspacingMark, .spacingMark, .enclosingMark].contains(properties.generalCategory)
            let single = properties.isIdeographic || Self.isHiragana(scalar)
            if index > pieceStart && !attaches && (single || pieceIsSingle) {
                try emit(pieceStart..<index, arena: &arena, tokens: &tokens)
                pieceStart = index
            }
            if !attaches { pieceIsSingle = single }
            index += width
        }
        if pieceStart < range.upperBound {
            try emit(pieceStart..<range.upperBound, arena: &arena, tokens: &tokens)
        }
    }

    /// True for characters of the Hiragana script (basic block and the Kana supplements).
    private static func isHiragana(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x3041...0x3096, 0x309D...0x309F, 0x1B001...0x1B11F: true
        default: false
        }
    }

    /// Decodes the scalar starting at `index` of valid UTF-8 `text`, with its width in bytes.
    private static func decodeScalar(in text: UnsafeRawBufferPointer, at index: Int) -> (Unicode.Scalar, Int) {
        let lead = UInt32(text[index])
        let (width, initial): (Int, UInt32) =
            switch lead {
            case 0..<0x80: (1, lead)
            case 0xC0..<0xE0: (2, lead & 0x1F)
            case 0xE0..<0xF0: (3, lead & 0x0F)
            default: (4, lead & 0x07)
            }
        var value = initial
        for offset in 1..<max(width, 1) {
            value = value << 6 | UInt32(text[index + offset] & 0x3F)
        }
        return (Unicode.Scalar(value) ?? "\u{FFFD}", width)
    }
}
