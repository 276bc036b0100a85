import Testing

@testable import TalyIndex

@Suite("Token buffer")
struct TokenBufferTests {
    @Test("a token record is five UInt32s: 20 bytes, no padding")
    func tokenLayout() {
        #expect(MemoryLayout<AnalyzedToken>.size == 20)
        #expect(MemoryLayout<AnalyzedToken>.stride == 20)
    }

    @Test("terms are slices of one arena: the folded value on the ASCII path, back to back on ICU's")
    func termsShareOneArena() throws {
        let ascii = try StandardAnalyzer().tokens(of: "One two, THREE")
        #expect(ascii.termBytes == Array("one two, three".utf8))
        #expect(ascii.map(\.termRange) == [0..<3, 4..<7, 9..<14])
        #expect(ascii.withTermBytes(of: ascii[2]) { Array($0) } == Array("three".utf8))
        let unicode = try StandardAnalyzer().tokens(of: "Één two, THREE")
        #expect(unicode.termBytes == Array("ééntwothree".utf8))
        #expect(unicode.withTermBytes(of: unicode[2]) { Array($0) } == Array("three".utf8))
    }

    @Test("reusing a buffer replaces its contents and keeps its capacity")
    func reuseKeepsCapacity() throws {
        let analyzer = try StandardAnalyzer()
        var tokens = TokenBuffer()
        try analyzer.analyze(String(repeating: "many words here ", count: 500), into: &tokens)
        let tokenCapacity = tokens.tokens.capacity
        let byteCapacity = tokens.termBytes.capacity
        try analyzer.analyze("Ünïcode then", into: &tokens)
        #expect(tokens.terms == ["ünïcode", "then"])
        #expect(tokens.tokens == (try analyzer.tokens(of: "Ünïcode then")).tokens)
        tokens.reset()
        #expect(tokens.isEmpty)
        #expect(tokens.tokens.capacity == tokenCapacity)
        #expect(tokens.termBytes.capacity >= byteCapacity)
    }

    @Test("rewriting terms drops tokens without renumbering positions")
    func rewriteKeepsPositions() throws {
        var tokens = try StandardAnalyzer().tokens(of: "keep drop keep2")
        var scratch: [UInt8] = []
        tokens.rewriteTerms(scratch: &scratch) { term, output in
            if Array(term) == Array("drop".utf8) { return false }
            output.append(contentsOf: term.reversed())
            return true
        }
        #expect(tokens.terms == ["peek", "2peek"])
        #expect(tokens.map(\.position) == [0, 2])
        #expect(tokens.map(\.sourceRange) == [0..<4, 10..<15])
    }
}
