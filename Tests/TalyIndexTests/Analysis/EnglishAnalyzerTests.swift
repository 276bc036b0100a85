import Testing

@testable import TalyIndex

@Suite("English analyzer")
struct EnglishAnalyzerTests {
    @Test(
        "words are reduced to their Snowball English stems",
        arguments: [
            ("running", "run"), ("connections", "connect"), ("Connected", "connect"), ("generously", "generous"),
            ("ponies", "poni"), ("John's", "john"), ("Straße", "strass"), ("3.14", "3.14"),
        ])
    func stems(word: String, stem: String) throws {
        #expect(try EnglishAnalyzer().tokens(of: word).terms == [stem])
    }

    @Test(
        "the Porter variant strips possessives, then stems with Porter's original algorithm",
        arguments: [
            ("generously", "gener"), ("connections", "connect"), ("John's", "john"), ("JOHN'S", "john"),
            ("John\u{2019}s", "john"), ("John\u{FF07}s", "john"), ("ponies", "poni"), ("3.14", "3.14"),
        ])
    func porterStems(word: String, stem: String) throws {
        #expect(try EnglishAnalyzer(stemming: .porter).tokens(of: word).terms == [stem])
    }

    @Test("possessives are stripped before stop words are removed, as Lucene's filter order does")
    func possessiveStopWord() throws {
        let tokens = try EnglishAnalyzer(stemming: .porter).tokens(of: "it's Ada's")
        #expect(tokens.terms == ["ada"])
        #expect(tokens.map(\.position) == [1])
    }

    @Test("stop words are removed and leave position gaps")
    func stopWordsLeaveGaps() throws {
        let tokens = try EnglishAnalyzer().tokens(of: "The quick foxes are jumping over THE lazy dogs")
        #expect(tokens.terms == ["quick", "fox", "jump", "over", "lazi", "dog"])
        #expect(tokens.map(\.position) == [1, 2, 4, 5, 7, 8])
        let utf8 = Array("The quick foxes are jumping over THE lazy dogs".utf8)
        #expect(String(decoding: utf8[tokens[1].sourceRange], as: UTF8.self) == "foxes")
    }

    @Test("an empty stop-word list keeps every word")
    func noStopWords() throws {
        let tokens = try EnglishAnalyzer(stopWords: .none).tokens(of: "the cats")
        #expect(tokens.terms == ["the", "cat"])
        #expect(tokens.map(\.position) == [0, 1])
    }

    @Test("the default stop words are Lucene's English set")
    func defaultStopWords() {
        let words = StopWordSet.english
        #expect(words.count == 33)
        for word in ["a", "the", "their", "with", "will", "such"] {
            #expect(words.contains(word), "\(word)")
        }
        for word in ["", "th", "thee", "therein", "A", "over"] {
            #expect(!words.contains(word), "\(word)")
        }
    }

    @Test("an unknown stemmer algorithm is a typed error")
    func unknownAlgorithm() {
        #expect(throws: AnalysisError.stemmerUnavailable(algorithm: "klingon")) {
            try SnowballStemmer(algorithm: "klingon")
        }
    }

    @Test("a reused analyzer gives the same tokens as a fresh one")
    func reuse() throws {
        let analyzer = try EnglishAnalyzer()
        var tokens = TokenBuffer()
        for text in ["Searching indexes quickly", "Ünïcode is handled", "", "Searching indexes quickly"] {
            try analyzer.analyze(text, into: &tokens)
            #expect(tokens.tokens == (try EnglishAnalyzer().tokens(of: text)).tokens)
            #expect(tokens.terms == (try EnglishAnalyzer().tokens(of: text)).terms)
        }
    }
}
