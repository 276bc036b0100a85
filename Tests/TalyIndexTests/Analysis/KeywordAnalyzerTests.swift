import Testing

@testable import TalyIndex

@Suite("Keyword analyzer")
struct KeywordAnalyzerTests {
    @Test("the whole value is one exact token", arguments: ["Hello World", "ÉCOLE-42 / x", "中文"])
    func wholeValue(text: String) throws {
        let tokens = try KeywordAnalyzer().tokens(of: text)
        #expect(tokens.terms == [text])
        #expect(tokens.map(\.position) == [0])
        #expect(tokens.map(\.sourceRange) == [0..<text.utf8.count])
    }

    @Test("an empty value is one empty token")
    func emptyValue() throws {
        let tokens = try KeywordAnalyzer().tokens(of: "")
        #expect(tokens.count == 1)
        #expect(tokens.terms == [""])
    }

    @Test("ill-formed UTF-8 bytes are rejected")
    func invalidBytes() {
        var tokens = TokenBuffer()
        #expect(throws: AnalysisError.invalidUTF8(byteOffset: 2)) {
            try [UInt8]([0x61, 0x62, 0x80]).withUnsafeBytes { try KeywordAnalyzer().analyze(utf8: $0, into: &tokens) }
        }
    }

    @Test("every analyzer kind can be created and used", arguments: AnalyzerKind.allCases)
    func kinds(kind: AnalyzerKind) throws {
        let tokens = try kind.makeAnalyzer().tokens(of: "Running Tests")
        let expected: [String] =
            switch kind {
            case .standard: ["running", "tests"]
            case .keyword: ["Running Tests"]
            case .english, .englishPorter: ["run", "test"]
            }
        #expect(tokens.terms == expected)
    }
}
