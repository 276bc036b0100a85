import CTalyICU
import Foundation
import TalyTestSupport
import Testing

@testable import TalyIndex

/// The first difference between the fast path and ICU on `text`, or nil when they agree.
private func disagreement(_ analyzer: StandardAnalyzer, _ text: String) throws -> String? {
    var fast = TokenBuffer()
    var icu = TokenBuffer()
    try analyzer.analyze(text, into: &fast)
    try analyzer.analyzeWithICU(text, into: &icu)
    // Terms, positions and offsets must agree; where a term sits in the arena is each path's own
    // business (the fast path points into the folded value, ICU packs terms back to back).
    if fast.terms == icu.terms && fast.map(\.position) == icu.map(\.position)
        && fast.map(\.sourceRange) == icu.map(\.sourceRange)
    {
        return nil
    }
    return "text \(String(reflecting: text)): fast \(fast.terms) \(fast.map(\.position)) \(fast.map(\.sourceRange))"
        + " vs ICU \(icu.terms) \(icu.map(\.position)) \(icu.map(\.sourceRange))"
}

/// ASCII paragraphs of real English text read at test time; missing files are failures.
private func realEnglishText() throws -> [String] {
    let license = try String(contentsOfFile: "/usr/share/common-licenses/GPL-3", encoding: .utf8)
    let status = try String(contentsOfFile: "/var/lib/dpkg/status", encoding: .utf8)
    let paragraphs = (license + "\n\n" + status.prefix(300_000)).components(separatedBy: "\n\n")
    return paragraphs.filter { paragraph in paragraph.utf8.allSatisfy { $0 < 0x80 } }
}

@Suite("ASCII fast path equals the ICU path")
struct ASCIIWordTokenizerOracleTests {
    /// Characters that exercise every UAX #29 rule reachable from ASCII, letters and digits most.
    static let alphabet: [Character] = Array(
        "aaaaeeiioosttnrAEZxyz0001239____''''....,,,,::;;--  \t\n!?@/\"()")

    @Test("random ASCII strings from a biased alphabet tokenize as ICU does (seeded)")
    func randomStrings() throws {
        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        let analyzer = try StandardAnalyzer(maximumTokenLength: 12)
        for iteration in 0..<(TestEnvironment.longTests ? 300_000 : 5_000) {
            let length = Int.random(in: 0...48, using: &random)
            let text = String((0..<length).map { _ in Self.alphabet.randomElement(using: &random)! })
            let difference = try disagreement(analyzer, text)
            #expect(difference == nil, "seed \(seed) (rerun with TALY_SEED=\(seed)), iteration \(iteration)")
            if difference != nil { return }
        }
    }

    @Test("random ASCII text spanning several 64-byte kernel blocks tokenizes as ICU does (seeded)")
    func randomLongerStrings() throws {
        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        let analyzer = try StandardAnalyzer(maximumTokenLength: 20)
        for iteration in 0..<(TestEnvironment.longTests ? 50_000 : 1_500) {
            let length = Int.random(in: 49...300, using: &random)
            let text = String((0..<length).map { _ in Self.alphabet.randomElement(using: &random)! })
            let difference = try disagreement(analyzer, text)
            #expect(difference == nil, "seed \(seed) (rerun with TALY_SEED=\(seed)), iteration \(iteration)")
            if difference != nil { return }
        }
    }

    @Test("joining characters and words on either side of a 64-byte block boundary tokenize as ICU does")
    func blockBoundaries() throws {
        let analyzer = try StandardAnalyzer(maximumTokenLength: 70)
        let pieces = [
            "a.b", "1,2", "x'y", "3.4", "_", "a_", "@", "Ab.Cd", "a..b", "1;2", String(repeating: "w", count: 66),
        ]
        for piece in pieces {
            for padding in 56...72 {
                for filler in [" ", "z", "9"] {
                    let text = String(repeating: filler, count: padding) + piece + " " + piece
                    let difference = try disagreement(analyzer, text)
                    #expect(difference == nil)
                }
            }
        }
    }

    @Test("every implementation of the classification kernel gives the same tokens (seeded)")
    func kernelImplementationsAgree() throws {
        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        let implementations = [TALY_ASCII_WORDS_SCALAR, TALY_ASCII_WORDS_SSE2, TALY_ASCII_WORDS_AVX2]
        for iteration in 0..<(TestEnvironment.longTests ? 20_000 : 1_000) {
            let length = Int.random(in: 0...200, using: &random)
            let text = Array(
                (0..<length).map { _ in Self.alphabet.randomElement(using: &random)! }.map(String.init).joined().utf8)
            var results: [(terms: [String], tokens: [AnalyzedToken])] = []
            for implementation in implementations {
                var tokens = TokenBuffer()
                let isASCII = text.withUnsafeBytes { bytes in
                    ASCIIWordTokenizer.tokenize(
                        bytes, maximumTokenLength: 8, into: &tokens, implementation: implementation)
                }
                #expect(isASCII)
                results.append((tokens.terms, tokens.tokens))
            }
            let agree = results.allSatisfy { $0.terms == results[0].terms && $0.tokens == results[0].tokens }
            #expect(agree, "seed \(seed) (rerun with TALY_SEED=\(seed)), iteration \(iteration)")
            if !agree { return }
        }
    }

    @Test("text with a non-ASCII byte anywhere takes the ICU path, leaving nothing of the fast path behind (seeded)")
    func nonASCIIFallsBackToICU() throws {
        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        let analyzer = try StandardAnalyzer()
        var reused = TokenBuffer()
        for iteration in 0..<(TestEnvironment.longTests ? 20_000 : 1_000) {
            let length = Int.random(in: 1...200, using: &random)
            var characters = (0..<length).map { _ in Self.alphabet.randomElement(using: &random)! }
            characters[Int.random(in: 0..<length, using: &random)] = ["é", "Ä", "ß", "中", "ﬁ"].randomElement(
                using: &random)!
            let text = String(characters)
            try analyzer.analyze("warm the buffer with ASCII words first", into: &reused)
            try analyzer.analyze(text, into: &reused)
            var icu = TokenBuffer()
            try analyzer.analyzeWithICU(text, into: &icu)
            let same = reused.tokens == icu.tokens && reused.termBytes == icu.termBytes
            #expect(
                same, "seed \(seed) (rerun with TALY_SEED=\(seed)), iteration \(iteration): \(String(reflecting: text))"
            )
            if !same { return }
        }
    }

    @Test("every string of up to 4 characters (6 with TALY_LONG_TESTS=1) from the rule alphabet tokenizes as ICU does")
    func exhaustiveShortStrings() throws {
        let symbols: [Character] = ["a", "B", "1", "_", "@", ".", "'", ",", ":", ";", " ", "-"]
        let maximum = TestEnvironment.longTests ? 6 : 4
        let analyzer = try StandardAnalyzer(maximumTokenLength: 2)
        var strings: [String] = [""]
        var failures = 0
        for _ in 0..<maximum {
            strings = strings.flatMap { prefix in symbols.map { prefix + String($0) } }
            for text in strings {
                if let difference = try disagreement(analyzer, text) {
                    Issue.record("\(difference)")
                    failures += 1
                    if failures > 10 { return }
                }
            }
        }
    }

    @Test("real English text tokenizes as ICU does")
    func realText() throws {
        let analyzer = try StandardAnalyzer()
        let paragraphs = try realEnglishText()
        #expect(paragraphs.count > 100)
        for paragraph in paragraphs {
            let difference = try disagreement(analyzer, paragraph)
            #expect(difference == nil)
            if difference != nil { return }
        }
        // Whole documents too, so the ICU wrapper's batches of 256 segments are crossed.
        let document = paragraphs.joined(separator: "\n\n")
        #expect(try disagreement(analyzer, document) == nil)
        #expect(try analyzer.tokens(of: document).count > 10_000)
    }
}
