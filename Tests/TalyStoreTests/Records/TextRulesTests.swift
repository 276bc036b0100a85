import Foundation
import TalyTestSupport
import Testing

@testable import TalyStore

@Suite("text rules: the byte fast paths answer as the Unicode and Foundation definitions")
struct TextRulesTests {
    static let pieces =
        RandomJSON.pieces + [
            "\u{85}", "\u{A0}", "\u{9F}", "\u{80}", "\u{2003}", "\u{3000}", "\r\n", "\u{1}", "x", "abc", " ", "\t",
            "e\u{301}\u{301}", "🇫🇷",
        ]

    @Test("control characters, whitespace, trimming and character limits on random text")
    func sameAnswers() {
        let seed = SplitMix64.testSeed()
        print("TextRulesTests.sameAnswers seed \(seed)")
        var generator = SplitMix64(seed: seed)
        for _ in 0..<20_000 {
            let text = (0..<Int(generator.next() % 8)).map { _ in
                Self.pieces[Int(generator.next() % UInt64(Self.pieces.count))]
            }.joined()
            let scalars = text.unicodeScalars
            #expect(
                TextRules.hasControlCharacter(text) == scalars.contains { $0.properties.generalCategory == .control },
                "\(Array(text.utf8))")
            #expect(
                TextRules.hasWhitespaceOrControl(text)
                    == scalars.contains { $0.properties.isWhitespace || $0.properties.generalCategory == .control },
                "\(Array(text.utf8))")
            #expect(
                TextRules.trimmed(text) == text.trimmingCharacters(in: .whitespacesAndNewlines), "\(Array(text.utf8))")
            let limit = Int(generator.next() % 12)
            #expect(TextRules.fits(text, characters: limit) == (text.count <= limit), "\(Array(text.utf8)) \(limit)")
        }
    }
}
