import Foundation
import TalyIndex
import TalyStore
import TalyTestSupport
import Testing

@testable import TalyAPI

/// The search answers written by hand must be the bytes `JSONEncoder` writes for them.
@Suite("search answers: the direct JSON writer equals the response encoder")
struct SearchJSONTests {
    /// Random answers, biased to the cases that differ between encoders: escapes, slashes,
    /// unicode, absent optionals, numbers at the edges.
    struct RandomAnswer {
        var generator: SplitMix64

        static let pieces = [
            "a", "Z", "é", "😀", "/", "\\", "\"", "\n", "\t", "\u{0}", "\u{1F}", "\u{7F}", " ", "10", "_", "日本",
            "<mark>",
        ]
        static let numbers: [Double] = [
            0, -0.0, 1, 0.1, 2.5, 1e16, 1e-7, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 123.456,
        ]

        mutating func flip() -> Bool { generator.next() % 2 == 0 }

        mutating func string() -> String {
            (0..<Int(generator.next() % 6)).map { _ in Self.pieces[Int(generator.next() % UInt64(Self.pieces.count))] }
                .joined()
        }

        mutating func number() -> Double {
            flip()
                ? Self.numbers[Int(generator.next() % UInt64(Self.numbers.count))]
                : Double(Int64.random(in: -1_000_000...1_000_000, using: &generator)) / 100
        }

        /// Finite, any magnitude and sign: a score or an explanation's value.
        mutating func float() -> Float {
            Float(bitPattern: UInt32(generator.next() % 0x7F00_0000)) * (flip() ? 1 : -1)
        }

        mutating func value(depth: Int) -> ContentValue {
            switch generator.next() % (depth > 2 ? 4 : 6) {
            case 0: .null
            case 1: .bool(flip())
            case 2: .number(number())
            case 3: .string(string())
            case 4: .array((0..<Int(generator.next() % 3)).map { _ in value(depth: depth + 1) })
            default: .object(fields(depth: depth + 1))
            }
        }

        mutating func fields(depth: Int) -> [String: ContentValue] {
            var fields: [String: ContentValue] = [:]
            for _ in 0..<Int(generator.next() % 6) { fields[string()] = value(depth: depth) }
            return fields
        }

        mutating func explanation(depth: Int) -> Explanation {
            let details = depth > 2 ? [] : (0..<Int(generator.next() % 3)).map { _ in explanation(depth: depth + 1) }
            return Explanation(isMatch: true, value: float(), description: string(), details: details)
        }

        mutating func hit() -> SearchHitResource {
            var hit = SearchHitResource(
                id: string(), score: float(),
                document: fields(depth: 0))
            if flip() {
                var highlight: [String: [String]] = [:]
                for _ in 0..<Int(generator.next() % 3) {
                    highlight[string()] = (0..<Int(generator.next() % 3)).map { _ in string() }
                }
                hit.highlight = highlight
            }
            if generator.next() % 4 == 0 { hit.explanation = ExplanationResource(explanation(depth: 0)) }
            if flip() {
                hit.queryIndex = Int(generator.next() % 5)
                hit.collection = string()
                hit.mergedScore = number()
            }
            return hit
        }

        mutating func facet() -> FacetResultResource {
            var facet = FacetResultResource(FacetResult(field: string(), counts: .histogram([]), stats: nil))
            facet.buckets = nil
            switch generator.next() % 4 {
            case 0:
                facet.type = "values"
                facet.values = (0..<Int(generator.next() % 3)).map { _ in
                    FacetResultResource.ValueCount(value: string(), count: Int(generator.next() % 1000))
                }
                facet.distinctValues = flip() ? Int(generator.next() % 100) : nil
            case 1:
                facet.type = "ranges"
                facet.ranges = (0..<Int(generator.next() % 3)).map { _ in
                    FacetResultResource.RangeCount(
                        label: string(), from: flip() ? number() : nil, to: flip() ? number() : nil,
                        count: Int(generator.next() % 100))
                }
            case 2:
                facet.type = "histogram"
                facet.buckets = (0..<Int(generator.next() % 3)).map { _ in
                    FacetResultResource.Bucket(key: number(), count: Int(generator.next() % 100))
                }
            default:
                facet.type = "stats"
            }
            if flip() {
                facet.stats = FacetResultResource.Stats(
                    count: Int(generator.next() % 100), min: number(), max: number(), sum: number(), average: number())
            }
            return facet
        }

        mutating func answer() -> SearchResultResource {
            SearchResultResource(
                collection: string(), hits: (0..<Int(generator.next() % 4)).map { _ in hit() },
                total: Int(generator.next() % 10_000), totalIsExact: flip(), offset: Int(generator.next() % 100),
                limit: Int(generator.next() % 100), nextCursor: flip() ? string() : nil,
                facets: (0..<Int(generator.next() % 3)).map { _ in facet() },
                appliedEventID: flip() ? Int64(generator.next() % 1_000_000) : nil, processingTimeMs: number())
        }
    }

    static func encoded(_ value: some Encodable) throws -> [UInt8] {
        Array(try TalyRequestContext.responseEncoder.encode(value))
    }

    @Test("random search answers")
    func searchAnswers() throws {
        let seed = SplitMix64.testSeed()
        print("seed \(seed)")
        var random = RandomAnswer(generator: SplitMix64(seed: seed))
        for round in 0..<300 {
            let answer = random.answer()
            let expected = try Self.encoded(answer)
            let written = try answer.json()
            #expect(
                written == expected,
                "round \(round):\n\(String(decoding: written, as: UTF8.self))\n\(String(decoding: expected, as: UTF8.self))"
            )
            if written != expected { return }
        }
    }

    @Test("random multi-search answers, per query and merged")
    func multiSearchAnswers() throws {
        let seed = SplitMix64.testSeed()
        print("seed \(seed)")
        var random = RandomAnswer(generator: SplitMix64(seed: seed))
        for round in 0..<100 {
            let merged = random.flip()
            let answer = MultiSearchResultResource(
                results: merged ? nil : (0..<Int(random.generator.next() % 3)).map { _ in random.answer() },
                hits: merged ? (0..<Int(random.generator.next() % 4)).map { _ in random.hit() } : nil,
                total: merged ? Int(random.generator.next() % 100) : nil,
                offset: merged ? Int(random.generator.next() % 100) : nil,
                limit: merged ? Int(random.generator.next() % 100) : nil, processingTimeMs: random.number())
            let expected = try Self.encoded(answer)
            let written = try answer.json()
            #expect(written == expected, "round \(round): \(String(decoding: written, as: UTF8.self))")
            if written != expected { return }
        }
    }

    @Test("a number JSON cannot hold fails both ways")
    func notFinite() {
        var random = RandomAnswer(generator: SplitMix64(seed: 1))
        var answer = random.answer()
        answer.processingTimeMs = .nan
        #expect(throws: EncodingError.self) { try answer.json() }
        #expect(throws: EncodingError.self) { try Self.encoded(answer) }
    }
}
