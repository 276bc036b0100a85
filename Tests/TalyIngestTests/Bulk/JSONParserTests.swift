import Foundation
import TalyTestSupport
import Testing

@testable import TalyIngest

@Suite("bulk ingest's JSON parser")
struct JSONParserTests {
    func parse(_ text: String) throws -> JSONValue {
        try Array(text.utf8).withUnsafeBytes { raw in try JSONParser.parse(raw) }
    }

    /// Integers of up to 18 digits are summed in place; longer ones go through `Int64(_:)` and,
    /// past its range, `Double(_:)`. Either way a number reads as Swift's own parsers read its text.
    @Test("numbers read as Int64(_:) and Double(_:) read their text, at every length (seeded)")
    func numbersAsSwiftReadsThem() throws {
        try withTestSeed { seed in
            var random = SplitMix64(seed: seed)
            var texts = [
                "0", "-0", "7", "-7", "999999999999999999", "-999999999999999999", "1000000000000000000",
                "9223372036854775807", "-9223372036854775808", "9223372036854775808", "-9223372036854775809",
                "123456789012345678901234", "1.5", "-2e3", "10E-2",
            ]
            for _ in 0..<2000 {
                let length = 1 + Int(random.next() % 22)
                var digits = String(1 + random.next() % 9)
                for _ in 1..<length { digits += String(random.next() % 10) }
                texts.append(random.next() % 2 == 0 ? digits : "-" + digits)
            }
            for text in texts {
                let expected: JSONValue
                if !text.contains(where: { ".eE".contains($0) }), let integer = Int64(text) {
                    expected = .integer(integer)
                } else {
                    expected = .number(try #require(Double(text)))
                }
                #expect(try parse(text) == expected, "\(text) (seed \(seed))")
                // Inside an object and an array, as records hold them.
                #expect(
                    try parse("{\"n\": \(text), \"a\": [\(text), \(text)]}")
                        == .object([JSONMember("n", expected), JSONMember("a", .array([expected, expected]))]),
                    "\(text) (seed \(seed))")
            }
        }
    }

    @Test("strings read as JSONDecoder reads them, escapes and bytes past ASCII at every offset (seeded)")
    func stringsAsJSONDecoderReadsThem() throws {
        try withTestSeed { seed in
            var random = SplitMix64(seed: seed)
            let pieces = [
                "a", "Z", "0", " ", "é", "Ω", "😀", "\\\"", "\\\\", "\\/", "\\n", "\\t", "\\u00e9", "\\ud83d\\ude00",
                "/",
                "~", "\u{7F}",
            ]
            for round in 0..<3000 {
                // Mostly plain runs, with the odd special piece placed across eight-byte words.
                var body = ""
                let length = Int(random.next() % 40)
                for _ in 0..<length {
                    body += random.next() % 4 == 0 ? pieces[Int(random.next() % UInt64(pieces.count))] : "x"
                }
                if round % 50 == 49 { body += "\u{01}" }  // a raw control byte: refused by both
                let text = "[\"" + body + "\"]"
                let expected = try? JSONDecoder().decode([String].self, from: Data(text.utf8))
                let parsed = try? parse(text)
                if let expected {
                    guard case .array(let elements)? = parsed, case .string(let value)? = elements.first else {
                        Issue.record("round \(round): \(text) not read (seed \(seed))")
                        continue
                    }
                    #expect(Array(value.utf8) == Array(expected[0].utf8), "round \(round): \(text) (seed \(seed))")
                } else {
                    #expect(
                        parsed == nil, "round \(round): \(text) read as \(String(describing: parsed)) (seed \(seed))")
                }
            }
        }
        // A byte that is not UTF-8, inside an eight-byte word of plain bytes or after it.
        for offset in 0..<20 {
            var bytes = Array("\"".utf8) + Array(repeating: UInt8(ascii: "x"), count: 20) + Array("\"".utf8)
            bytes[1 + offset] = 0xFF
            #expect(throws: JSONParser.Failure.self, "0xFF at \(offset)") {
                try bytes.withUnsafeBytes { try JSONParser.parse($0) }
            }
        }
    }

    @Test("objects and arrays of any size keep their members in input order")
    func membersInOrder() throws {
        for count in [0, 1, 7, 8, 9, 40] {
            let members = (0..<count).map { JSONMember("k\($0)", JSONValue.integer(Int64($0))) }
            let text = "{" + members.map { "\"\($0.key)\": \($0.key.dropFirst())" }.joined(separator: ", ") + "}"
            #expect(try parse(text) == .object(members), "\(count) members")
            let array = "[" + (0..<count).map(String.init).joined(separator: ",") + "]"
            #expect(try parse(array) == .array((0..<count).map { .integer(Int64($0)) }), "\(count) elements")
        }
    }

    @Test("malformed numbers are refused at their offset")
    func malformedNumbers() {
        for (text, offset) in [("-", 1), ("01", 2), ("1.", 2), ("1e", 2), ("-a", 1)] {
            #expect(throws: JSONParser.Failure.self, "\(text)") { try parse(text) }
            do {
                _ = try parse(text)
            } catch let failure as JSONParser.Failure {
                #expect(failure.offset == offset, "\(text): \(failure.reason)")
            } catch {
                Issue.record("\(text): \(error)")
            }
        }
    }
}
