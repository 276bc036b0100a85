import Testing

@testable import TalyIndex

/// Tokens of `text` as (term, position) pairs, through the automatic path or ICU only.
private func analyzed(_ text: String, icuOnly: Bool = false, maximumTokenLength: Int = 64) throws -> TokenBuffer {
    let analyzer = try StandardAnalyzer(maximumTokenLength: maximumTokenLength)
    var tokens = TokenBuffer()
    if icuOnly {
        try analyzer.analyzeWithICU(text, into: &tokens)
    } else {
        try analyzer.analyze(text, into: &tokens)
    }
    return tokens
}

@Suite("Standard analyzer on ASCII")
struct StandardAnalyzerASCIITests {
    /// UAX #29 corner cases as ICU 72 (root locale) segments them; both paths must agree.
    static let cases: [(String, [String])] = [
        ("Hello, World!", ["hello", "world"]),
        ("can't stop", ["can't", "stop"]),
        ("e.g. this", ["e.g", "this"]),
        ("U.S.A. a.b.c", ["u.s.a", "a.b.c"]),
        ("3.14 and 1,000 and 1,2;3", ["3.14", "and", "1,000", "and", "1,2;3"]),
        ("1.2.3", ["1.2.3"]),
        ("foo_bar __init__", ["foo_bar", "__init__"]),
        ("abc123 123abc", ["abc123", "123abc"]),
        ("a:b 12:30", ["a", "b", "12", "30"]),
        ("x' 'x ''", ["x", "x"]),
        ("a_1.b", ["a_1", "b"]),
        ("_ __ a_ _a", ["__", "a_", "_a"]),
        ("a-b -- 1-2", ["a", "b", "1", "2"]),
        ("don''t a..b 1..2 1.,2", ["don", "t", "a", "b", "1", "2", "1", "2"]),
        ("a,b;c", ["a", "b", "c"]),
        ("x.1 1.x a'1 1'2", ["x", "1", "1", "x", "a", "1", "1'2"]),
        ("e-mail: user@example.com", ["e", "mail", "user@example.com"]),
        ("@ @home a@1 a.@", ["@", "@home", "a@1", "a.@"]),
        ("tab\tnew\nline\r\nend", ["tab", "new", "line", "end"]),
        ("", []),
        ("  ... ;;; ---  ", []),
        ("MiXeD CaSe", ["mixed", "case"]),
    ]

    @Test("ASCII fast path yields the UAX #29 words", arguments: cases)
    func fastPathWords(text: String, expected: [String]) throws {
        #expect(try analyzed(text).terms == expected)
    }

    @Test("ICU path yields the same words on the ASCII table", arguments: cases)
    func icuPathWords(text: String, expected: [String]) throws {
        #expect(try analyzed(text, icuOnly: true).terms == expected)
    }

    @Test("positions count words and offsets point into the original bytes")
    func positionsAndOffsets() throws {
        let text = "The CAN'T, 3.14!"
        let tokens = try analyzed(text)
        #expect(tokens.map(\.position) == [0, 1, 2])
        #expect(tokens.map(\.sourceRange) == [0..<3, 4..<9, 11..<15])
        let utf8 = Array(text.utf8)
        #expect(tokens.map { String(decoding: utf8[$0.sourceRange], as: UTF8.self) } == ["The", "CAN'T", "3.14"])
    }

    @Test("a word longer than the maximum is dropped and leaves a position gap")
    func tooLongWordLeavesGap() throws {
        let text = "a \(String(repeating: "x", count: 65)) b \(String(repeating: "y", count: 64))"
        for icuOnly in [false, true] {
            let tokens = try analyzed(text, icuOnly: icuOnly)
            #expect(tokens.terms == ["a", "b", String(repeating: "y", count: 64)], "icuOnly: \(icuOnly)")
            #expect(tokens.map(\.position) == [0, 2, 3], "icuOnly: \(icuOnly)")
        }
        #expect(try analyzed("ab abc abcd", maximumTokenLength: 3).terms == ["ab", "abc"])
    }

    @Test("raw bytes are accepted and match the String entry point")
    func rawBytesMatchString() throws {
        let analyzer = try StandardAnalyzer()
        var fromBytes = TokenBuffer()
        let text = "Raw bytes, 42 of them."
        try Array(text.utf8).withUnsafeBytes { try analyzer.analyze(utf8: $0, into: &fromBytes) }
        #expect(fromBytes.tokens == (try analyzed(text)).tokens)
        #expect(fromBytes.terms == ["raw", "bytes", "42", "of", "them"])
    }
}

@Suite("Standard analyzer on Unicode text")
struct StandardAnalyzerUnicodeTests {
    static let cases: [(String, [String])] = [
        ("ﬁle ﬂow", ["file", "flow"]),
        ("ＡＢＣ１２３ ｔｅｓｔ", ["abc123", "test"]),
        ("Straße STRASSE", ["strasse", "strasse"]),
        ("İstanbul", ["i\u{307}stanbul"]),
        ("Café Zoë naïve", ["café", "zoë", "naïve"]),
        ("Cafe\u{301}", ["café"]),
        ("ΣΟΦΙΑ σοφία", ["σοφια", "σοφία"]),
        ("Привет, мир!", ["привет", "мир"]),
        ("中华人民共和国", ["中", "华", "人", "民", "共", "和", "国"]),
        ("東京タワー", ["東", "京", "タワー"]),
        ("ひらがな", ["ひ", "ら", "が", "な"]),
        ("Tokyo東京2020 année", ["tokyo", "東", "京", "2020", "année"]),
        ("ภาษาไทย", ["ภาษา", "ไทย"]),
        ("I ❤️ NY 😀!", ["i", "ny"]),
        ("don’t", ["don’t"]),
    ]

    @Test("words are segmented by UAX #29 and NFKC case folded", arguments: cases)
    func unicodeWords(text: String, expected: [String]) throws {
        #expect(try analyzed(text).terms == expected)
    }

    @Test("offsets of non-ASCII words are UTF-8 byte offsets into the original value")
    func unicodeOffsets() throws {
        let text = "Ünïcode ﬁle 中文 done"
        let tokens = try analyzed(text)
        let utf8 = Array(text.utf8)
        let sources = tokens.map { String(decoding: utf8[$0.sourceRange], as: UTF8.self) }
        #expect(sources == ["Ünïcode", "ﬁle", "中", "文", "done"])
        #expect(tokens.terms == ["ünïcode", "file", "中", "文", "done"])
        #expect(tokens.map(\.position) == [0, 1, 2, 3, 4])
    }

    @Test("the maximum token length applies to the folded form")
    func maximumLengthAfterFolding() throws {
        // "ß" is 2 bytes and folds to "ss" (2 bytes); "ﬁ" is 3 bytes and folds to "fi" (2 bytes).
        let tooLong = String(repeating: "ß", count: 33)  // 66 bytes, folds to 66
        let shrinks = String(repeating: "ﬁ", count: 30)  // 90 bytes, folds to 60
        let fits = String(repeating: "ß", count: 32)  // 64 bytes, folds to 64
        let tokens = try analyzed("\(tooLong) \(shrinks) \(fits)")
        #expect(tokens.terms == [String(repeating: "fi", count: 30), String(repeating: "ss", count: 32)])
        #expect(tokens.map(\.position) == [1, 2])
    }

    @Test(
        "ill-formed UTF-8 bytes throw with the offset of the first bad sequence",
        arguments: [
            ([0x61, 0xFF], 1), ([0xC0, 0x80], 0), ([0x61, 0x62, 0xED, 0xA0, 0x80], 2), ([0xE4, 0xB8], 0),
            ([0x63, 0x61, 0x66, 0xC3], 3),
        ] as [([UInt8], Int)])
    func invalidUTF8Throws(bytes: [UInt8], offset: Int) throws {
        let analyzer = try StandardAnalyzer()
        var tokens = TokenBuffer()
        #expect(throws: AnalysisError.invalidUTF8(byteOffset: offset)) {
            try bytes.withUnsafeBytes { try analyzer.analyze(utf8: $0, into: &tokens) }
        }
    }

    @Test("case folding expands and reports ICU failures as typed errors")
    func caseFolderExpansionAndFailure() throws {
        let folder = try ICUCaseFolder()
        var arena: [UInt8] = [0x2A]
        // U+FDFA folds to 18 Arabic code units (33 bytes): larger than the first guess.
        let length = try Array("ﷺ".utf8).withUnsafeBytes { try folder.appendFolded($0, to: &arena) }
        #expect(length == 33)
        #expect(String(decoding: arena.dropFirst(), as: UTF8.self) == "صلى الله عليه وسلم")
        #expect(throws: AnalysisError.self) {
            try [UInt8]([0xFF]).withUnsafeBytes { try folder.appendFolded($0, to: &arena) }
        }
        #expect(arena.count == 34)
    }
}
