import Foundation
import TalyTestSupport
import Testing

@testable import TalyIngest

@Suite("the fast flat-object JSON parser")
struct FlatJSONObjectTests {
    func parse(_ text: String) -> [(key: String, value: String)]? {
        Array(text.utf8).withUnsafeBytes { FlatJSONObject.parse($0) }
    }

    @Test("escapes, surrogate pairs and raw UTF-8 decode as JSONSerialization does (seeded)")
    func agreesWithFoundation() throws {
        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        let alphabet: [String] = [
            "a", "Z", " ", "\"", "\\", "/", "\n", "\t", "\u{08}", "é", "中", "😀", "\u{1F}", "\u{7F}", "ß",
        ]
        for _ in 0..<500 {
            var object: [String: String] = [:]
            for key in 0..<Int.random(in: 0...4, using: &random) {
                object["k\(key)"] = (0..<Int.random(in: 0...20, using: &random)).map { _ in
                    alphabet.randomElement(using: &random)!
                }.joined()
            }
            let data = try JSONSerialization.data(withJSONObject: object)
            var text = String(decoding: data, as: UTF8.self)
            // Also exercise \u escapes, which JSONSerialization does not write for these characters.
            text = text.replacingOccurrences(of: "😀", with: "\\ud83d\\ude00").replacingOccurrences(
                of: "é", with: "\\u00e9")
            let parsed = try #require(parse(text), "seed \(seed): \(text)")
            #expect(
                Dictionary(uniqueKeysWithValues: parsed.map { ($0.key, $0.value) }) == object, "seed \(seed): \(text)")
        }
    }

    @Test(
        "anything but a flat object of strings is left to the general decoder",
        arguments: [
            #"{"id": 5}"#, #"{"a": ["x"]}"#, #"{"a": {"b": "c"}}"#, #"{"a": "x""#, #"{"a" "x"}"#, #"["a"]"#,
            #"{"a": "x",}"#, #"{"a": "\q"}"#, #"{"a": "\ud800"}"#, #"{"a": "\udc00x"}"#, "{\"a\": \"tab\there\"}",
            #"{"a": "x"} trailing"#, "", #"{"a": null}"#,
        ]
    )
    func rejects(text: String) {
        #expect(parse(text) == nil)
    }

    @Test("invalid UTF-8 inside a string is refused")
    func invalidUTF8() {
        let bytes: [UInt8] = Array(#"{"a": ""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
        #expect(bytes.withUnsafeBytes { FlatJSONObject.parse($0) } == nil)
    }

    @Test("an empty object and surrounding spaces parse")
    func edges() {
        #expect(parse("  {}  ")?.isEmpty == true)
        #expect(parse(#" { "a" : "b" } "#)?.first?.value == "b")
    }
}
