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

        static let integers: [Int64] = [
            0, -1, 42, 1 << 53 - 1, -(1 << 53 - 1), 1 << 53, -(1 << 53), 1 << 53 + 1, .max, .min,
        ]
        /// 1970, 2015-06-21T01:38:10.455Z (Foundation wrote .454), the ends of the years formatted
        /// by hand (1583 to 9999) and a step beyond each.
        static let dates: [Int64] = [
            0, -1, 1_434_850_690_455, -12_212_553_600_000, -12_212_553_600_001, 253_402_300_799_999,
            253_402_300_800_000,
        ]

        mutating func fieldValue() -> FieldValue {
            switch generator.next() % 5 {
            case 0: .text(string())
            case 1: .keyword((0..<Int(generator.next() % 3)).map { _ in string() })
            case 2:
                .int64(
                    flip()
                        ? Self.integers[Int(generator.next() % UInt64(Self.integers.count))]
                        : Int64(bitPattern: generator.next()) >> (generator.next() % 64))
            case 3: .double(flip() ? [.infinity, -.infinity][Int(generator.next() % 2)] : number())
            default:
                .date(
                    milliseconds: flip()
                        ? Self.dates[Int(generator.next() % UInt64(Self.dates.count))]
                        : Int64.random(in: -12_212_553_600_000...253_402_300_799_999, using: &generator))
            }
        }

        /// Stored fields of a schema of up to eight distinct names, some absent.
        mutating func document() -> StoredDocumentResource {
            var names: [String] = []
            for _ in 0..<Int(generator.next() % 8) {
                let name = string()
                if !names.contains(name) { names.append(name) }
            }
            let values = names.indices.filter { _ in generator.next() % 4 != 0 }.map { ($0, fieldValue()) }
            return StoredDocumentResource(fieldNames: names, values: values)
        }

        mutating func explanation(depth: Int) -> Explanation {
            let details = depth > 2 ? [] : (0..<Int(generator.next() % 3)).map { _ in explanation(depth: depth + 1) }
            return Explanation(isMatch: true, value: float(), description: string(), details: details)
        }

        mutating func hit() -> SearchHitResource {
            var hit = SearchHitResource(id: string(), score: float(), document: document())
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

    /// JSON text as a value tree: objects compare by members whatever their order.
    static func parsed(_ json: [UInt8]) throws -> ContentValue {
        try JSONDecoder().decode(ContentValue.self, from: Data(json))
    }

    /// `answer` with each document's fields renumbered in sorted name order: its text then
    /// compares byte for byte with `JSONEncoder`'s, which sorts every object's keys.
    static func sortingDocuments(_ answer: SearchResultResource) -> SearchResultResource {
        var answer = answer
        answer.hits = answer.hits.map(sortingDocument)
        return answer
    }

    static func sortingDocument(_ hit: SearchHitResource) -> SearchHitResource {
        var hit = hit
        let names = hit.document.fieldNames
        let order = names.indices.sorted { names[$0].utf8.lexicographicallyPrecedes(names[$1].utf8) }
        let rank = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        hit.document = StoredDocumentResource(
            fieldNames: order.map { names[$0] },
            values: hit.document.values.map { (rank[$0.field]!, $0.value) }.sorted { $0.0 < $1.0 })
        return hit
    }

    @Test("random search answers")
    func searchAnswers() throws {
        let seed = SplitMix64.testSeed()
        print("seed \(seed)")
        var random = RandomAnswer(generator: SplitMix64(seed: seed))
        for round in 0..<300 {
            let answer = random.answer()
            let written = try answer.json()
            // The same value tree as the encoder's, and with documents in sorted order (the
            // encoder's), the same bytes: escapes and numbers included.
            #expect(try Self.parsed(written) == Self.parsed(Self.encoded(answer)), "round \(round)")
            let sorted = Self.sortingDocuments(answer)
            let expected = try Self.encoded(sorted)
            let writtenSorted = try sorted.json()
            #expect(
                writtenSorted == expected,
                "round \(round):\n\(String(decoding: writtenSorted, as: UTF8.self))\n\(String(decoding: expected, as: UTF8.self))"
            )
            if writtenSorted != expected { return }
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
            let written = try answer.json()
            #expect(try Self.parsed(written) == Self.parsed(Self.encoded(answer)), "round \(round)")
            var sorted = answer
            sorted.results = answer.results?.map(Self.sortingDocuments)
            sorted.hits = answer.hits?.map(Self.sortingDocument)
            let expected = try Self.encoded(sorted)
            let writtenSorted = try sorted.json()
            #expect(writtenSorted == expected, "round \(round): \(String(decoding: writtenSorted, as: UTF8.self))")
            if writtenSorted != expected { return }
        }
    }

    @Test("a document's fields come in schema order, escaped as before, numbers as before, dates exact")
    func documentBytes() throws {
        let document = StoredDocumentResource(
            fieldNames: [
                "id", "title", "tags", "none", "price", "exact", "big", "ratio", "infinite", "created_at", "zulu",
                "absent",
            ],
            values: [
                (0, .keyword(["p/1"])), (1, .text("\"Quoted\" \\ é 日本 😀\n\t\u{1}\u{7F}\u{2028} </script>")),
                (2, .keyword(["a", "b"])), (3, .keyword([])), (4, .int64(-4500)), (5, .int64(1 << 53)),
                (6, .int64(1 << 60)), (7, .double(2.5)), (8, .double(-.infinity)),
                (9, .date(milliseconds: 1_434_850_690_455)), (10, .date(milliseconds: -1)),
            ])
        var writer = CanonicalJSONWriter(escapesSlashes: false)
        try document.write(to: &writer)
        let expected =
            #"{"id":"p/1","title":"\"Quoted\" \\ é 日本 😀\n\t\u0001\#u{7F}\#u{2028} </script>","tags":["a","b"],"#
            + #""none":[],"price":-4500,"exact":9007199254740992,"big":1.152921504606847e+18,"ratio":2.5,"infinite":"-inf","#
            + #""created_at":"2015-06-21T01:38:10.455Z","zulu":"1969-12-31T23:59:59.999Z"}"#
        #expect(writer.text == expected)
        // The encoder's value tree is the same, its keys sorted.
        #expect(try Self.parsed(writer.bytes) == Self.parsed(Self.encoded(document)))
    }

    @Test("dates: Foundation's text of the whole second, then the exact milliseconds")
    func dates() {
        let seed = SplitMix64.testSeed()
        print("seed \(seed)")
        var generator = SplitMix64(seed: seed)
        let wholeSeconds = Date.ISO8601FormatStyle()
        // Outside these years Foundation writes the whole text, as before.
        let handFormatted: ClosedRange<Int64> = -12_212_553_600_000...253_402_300_799_999
        let edges = RandomAnswer.dates.filter(handFormatted.contains)
        for round in 0..<2000 {
            let milliseconds =
                round < edges.count ? edges[round] : Int64.random(in: handFormatted, using: &generator)
            let (seconds, remainder) = milliseconds.quotientAndRemainder(dividingBy: 1000)
            let second = remainder < 0 ? seconds - 1 : seconds
            let fraction = remainder < 0 ? remainder + 1000 : remainder
            let text = Date(timeIntervalSince1970: Double(second)).formatted(wholeSeconds)
            let expected = "\(text.dropLast()).\(String(fraction + 1000).dropFirst())Z"
            let written = CanonicalJSONWriter.iso8601Text(milliseconds: milliseconds)
            #expect(written == expected, "\(milliseconds) ms")
            var writer = CanonicalJSONWriter(escapesSlashes: false)
            writer.date(milliseconds: milliseconds)
            #expect(writer.text == "\"\(expected)\"")
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
