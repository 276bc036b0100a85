import Foundation
import GRDB
import TalyTestSupport
import Testing

@testable import TalyStore

/// Random JSON-ish values for the writer and reader, biased towards the hard cases: escapes,
/// unicode outside the BMP, numbers at the edges of Double, keys that sort differently by
/// UTF-8 than by Unicode order or case.
struct RandomJSON {
    var generator: SplitMix64

    static let pieces = [
        "a", "Z", "é", "e\u{301}", "😀", "\u{FF41}", "\u{2028}", "/", "\\", "\"", "\n", "\r", "\t", "\u{8}", "\u{C}",
        "\u{0}", "\u{1F}", "\u{7F}", " ", "10", "9", "_", "ß", "日本", "-", ":", "{", "]",
    ]
    static let numbers: [Double] = [
        0, -0.0, 1, -1, 0.1, 2.5, 3, 1e15, 1e16, 9_007_199_254_740_992, 9_007_199_254_740_993, 1e-7, 5e-324,
        2.2250738585072014e-308, 1.7976931348623157e308, -1.7976931348623157e308, 123.456, 1e21, 1e22,
        9.223372036854775807e18, -9.223372036854775808e18, 0.30000000000000004,
    ]

    mutating func string() -> String {
        (0..<Int(generator.next() % 6)).map { _ in Self.pieces[Int(generator.next() % UInt64(Self.pieces.count))] }
            .joined()
    }

    mutating func number() -> Double {
        switch generator.next() % 3 {
        case 0: Self.numbers[Int(generator.next() % UInt64(Self.numbers.count))]
        case 1:
            Double(
                bitPattern: generator.next() & ~(0x7FF << 52) | (UInt64.random(in: 0...0x7FE, using: &generator) << 52))
        default: Double(Int64.random(in: -1_000_000...1_000_000, using: &generator)) / 100
        }
    }

    mutating func contentValue(depth: Int = 0) -> ContentValue {
        switch generator.next() % (depth > 3 ? 4 : 6) {
        case 0: .null
        case 1: .bool(generator.next() % 2 == 0)
        case 2: .number(number())
        case 3: .string(string())
        case 4: .array((0..<Int(generator.next() % 4)).map { _ in contentValue(depth: depth + 1) })
        default: .object(contentFields(depth: depth + 1))
        }
    }

    mutating func contentFields(depth: Int = 0) -> [String: ContentValue] {
        var fields: [String: ContentValue] = [:]
        for _ in 0..<Int(generator.next() % 5) { fields[string()] = contentValue(depth: depth) }
        return fields
    }

    mutating func attributeValue(nested: Bool = false) -> AttributeValue {
        switch generator.next() % (nested ? 4 : 5) {
        case 0: .string(string())
        case 1: .integer(Int64(bitPattern: generator.next()) >> (generator.next() % 64))
        case 2: .number(number())
        case 3: .bool(generator.next() % 2 == 0)
        default: .array((0..<Int(generator.next() % 4)).map { _ in attributeValue(nested: true) })
        }
    }

    mutating func attributes() -> [String: AttributeValue] {
        var attributes: [String: AttributeValue] = [:]
        for _ in 0..<Int(generator.next() % 5) { attributes[string()] = attributeValue() }
        return attributes
    }
}

@Suite("canonical JSON: the writer equals JSONEncoder, the reader equals JSONDecoder")
struct CanonicalJSONTests {
    static func encoder(escapingSlashes: Bool) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = escapingSlashes ? [.sortedKeys] : [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    @Test(
        "content fields are written byte for byte as JSONEncoder writes them, and read back as JSONDecoder reads them")
    func contentFields() throws {
        let seed = SplitMix64.testSeed()
        print("CanonicalJSONTests.contentFields seed \(seed)")
        var random = RandomJSON(generator: SplitMix64(seed: seed))
        for _ in 0..<3_000 {
            let fields = random.contentFields()
            for escapingSlashes in [true, false] {
                var writer = CanonicalJSONWriter(escapesSlashes: escapingSlashes)
                try writer.object(fields)
                let expected = try Self.encoder(escapingSlashes: escapingSlashes).encode(fields)
                #expect(writer.bytes == Array(expected), "\(fields)")
            }
            let text = try ContentValue.storedText(fields)
            let decoded = try JSONDecoder().decode([String: ContentValue].self, from: Data(text.utf8))
            #expect(StoredJSONReader.contentFields(text) == decoded, "\(text)")
            #expect(try ContentValue.storedFields(text.databaseValue) == fields, "\(text)")
        }
    }

    @Test("attributes are written as JSONEncoder writes them and read as JSONDecoder reads them (3.0 comes back 3)")
    func attributes() throws {
        let seed = SplitMix64.testSeed()
        print("CanonicalJSONTests.attributes seed \(seed)")
        var random = RandomJSON(generator: SplitMix64(seed: seed))
        for _ in 0..<3_000 {
            let attributes = random.attributes()
            let text = try ProductRecord.attributesJSON(attributes)
            #expect(Array(text.utf8) == Array(try Self.encoder(escapingSlashes: true).encode(attributes)))
            let texts = try ProductRecord.attributesTexts(attributes)
            #expect(texts.column == text)
            #expect(Array(texts.payload.utf8) == Array(try Self.encoder(escapingSlashes: false).encode(attributes)))
            let decoded = try JSONDecoder().decode([String: AttributeValue].self, from: Data(text.utf8))
            #expect(StoredJSONReader.attributes(text) == decoded, "\(text)")
            // The pairs the index reads: the same members, in the written (UTF-8 byte) order; nil
            // only when that order is not String's (then the dictionary path decides).
            let keys = CanonicalJSONWriter.sortedKeys(attributes)
            if let list = StoredJSONReader.attributeList(text) {
                #expect(list.map(\.key) == keys, "\(text)")
                #expect(Dictionary(uniqueKeysWithValues: list.map { ($0.key, $0.value) }) == decoded, "\(text)")
            } else {
                #expect(zip(keys, keys.dropFirst()).contains { !($0 < $1) }, "\(text)")
            }
        }
        #expect(
            StoredJSONReader.attributes(#"{"a":3.0,"b":1e+16,"c":2.5,"d":-0,"e":9223372036854775808}"#) == [
                "a": .integer(3), "b": .integer(10_000_000_000_000_000), "c": .number(2.5), "d": .integer(0),
                "e": .number(9.223372036854775808e18),
            ])
    }

    @Test("audit details are written as JSONEncoder writes them (slashes bare)")
    func details() throws {
        let seed = SplitMix64.testSeed()
        print("CanonicalJSONTests.details seed \(seed)")
        var random = RandomJSON(generator: SplitMix64(seed: seed))
        for _ in 0..<2_000 {
            var details: [String: String] = [:]
            for _ in 0..<Int(random.generator.next() % 4) { details[random.string()] = random.string() }
            #expect(
                TenantScope.json(details)
                    == String(decoding: try Self.encoder(escapingSlashes: false).encode(details), as: UTF8.self))
            let sku = random.string()
            #expect(ProductDraft.creationDetails(sku: sku) == TenantScope.json(["sku": sku]), "\(sku)")
        }
    }

    @Test("long strings, escapes at any offset of the eight-byte scan, are written as JSONEncoder writes them")
    func longStrings() throws {
        let seed = SplitMix64.testSeed()
        print("CanonicalJSONTests.longStrings seed \(seed)")
        var random = RandomJSON(generator: SplitMix64(seed: seed))
        for _ in 0..<2_000 {
            // Runs of plain ASCII of every length between the pieces, so an escape falls at
            // every position of a word and at the ends.
            var text = ""
            for _ in 0..<Int(random.generator.next() % 8) {
                text += String(repeating: "x", count: Int(random.generator.next() % 20)) + random.string()
            }
            for slashes in [true, false] {
                var writer = CanonicalJSONWriter(escapesSlashes: slashes)
                writer.string(text)
                #expect(
                    writer.bytes == Array(try Self.encoder(escapingSlashes: slashes).encode(text)),
                    "\(text.debugDescription)")
            }
        }
    }

    @Test("integers are written as their description, the edges of Int64 included")
    func integers() {
        let seed = SplitMix64.testSeed()
        print("CanonicalJSONTests.integers seed \(seed)")
        var generator = SplitMix64(seed: seed)
        var values: [Int64] = [0, 1, -1, 9, 10, -10, 99, 100, Int64.max, Int64.min, Int64.min + 1, Int64.max - 1]
        for _ in 0..<2_000 { values.append(Int64(bitPattern: generator.next()) >> (generator.next() % 64)) }
        for value in values {
            var writer = CanonicalJSONWriter(escapesSlashes: false)
            writer.integer(value)
            #expect(writer.text == value.description)
        }
    }

    @Test("keys sort by their UTF-8 bytes, as JSONEncoder's sortedKeys does")
    func keyOrder() {
        let seed = SplitMix64.testSeed()
        print("CanonicalJSONTests.keyOrder seed \(seed)")
        var random = RandomJSON(generator: SplitMix64(seed: seed))
        for _ in 0..<2_000 {
            let (left, right) = (random.string(), random.string())
            #expect(
                CanonicalJSONWriter.utf8Precedes(left, right) == left.utf8.lexicographicallyPrecedes(right.utf8),
                "\(left.debugDescription) \(right.debugDescription)")
        }
    }

    @Test("the reader accepts JSON's whitespace and escapes, and declines what JSONDecoder must judge")
    func readerEdges() throws {
        let spaced = " {\n\t\"a\" : [ 1 , true , null , \"\\u00e9\\ud83d\\ude00\\/\" ] , \"b\":{} } "
        #expect(
            StoredJSONReader.contentFields(spaced) == [
                "a": .array([.number(1), .bool(true), .null, .string("é😀/")]), "b": .object([:]),
            ])
        for declined in [
            "{\"a\":1e400}", "{\"a\":1,\"a\":2}", "{\"a\":\"\\ud800\"}", "{\"a\":01}", "{\"a\":1.}", "{\"a\":tru}",
            "[1]", "{\"a\":1} x", "{\"a\":\"\u{1}\"}",
        ] {
            #expect(StoredJSONReader.contentFields(declined) == nil, "\(declined)")
        }
        // Names out of order, twice, or twice up to Unicode equivalence: left to the dictionary path.
        #expect(StoredJSONReader.attributeList(#"{"b":1,"a":2}"#) == nil)
        #expect(StoredJSONReader.attributeList(#"{"a":1,"a":2}"#) == nil)
        #expect(StoredJSONReader.attributeList("{\"\u{E9}\":1,\"e\u{301}\":2}") == nil)
        #expect(StoredJSONReader.attributeList(#"{"a":1,"b":[2,"x"]}"#)?.map(\.key) == ["a", "b"])
        #expect(StoredJSONReader.attributes("{\"a\":null}") == nil)
        #expect(StoredJSONReader.attributes("{\"a\":{}}") == nil)
    }

    @Test("the content item and product event payloads are the bytes JSONEncoder gave")
    func eventPayloads() throws {
        let seed = SplitMix64.testSeed()
        print("CanonicalJSONTests.eventPayloads seed \(seed)")
        var random = RandomJSON(generator: SplitMix64(seed: seed))
        let type = ContentTypeRecord(
            id: ContentTypeID(3), tenantID: TenantID(1), name: "article", displayName: "Article", fields: [],
            createdAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 0), version: 1)
        for index in 0..<500 {
            let time = Date(timeIntervalSince1970: StoredDateTests.randomSeconds(&random.generator))
            let item = ContentItemRecord(
                id: ContentItemID(Int64(index + 1)), tenantID: TenantID(1), contentTypeID: ContentTypeID(3),
                title: random.string(), slug: "s-\(index)", fields: random.contentFields(),
                status: ContentStatus.allCases[index % 3], publishAt: index % 2 == 0 ? time : nil,
                publishedAt: index % 3 == 0 ? time.addingTimeInterval(0.5) : nil, createdAt: time, updatedAt: time,
                version: Int64(index))
            let event = ContentItemEvent(item, type: type)
            #expect(try event.json(dates: RowDates(time)) == TenantScope.json(event))
            let product = ProductRecord(
                id: index % 7 == 0 ? nil : ProductID(Int64(index)), tenantID: TenantID(1),
                draft: ProductDraft(
                    stored: "SKU/\(index)", title: random.string(), description: random.string(),
                    price: Money(stored: Int64(index) * 99, currency: "EUR"), attributes: random.attributes(),
                    status: ProductStatus.allCases[index % 3]),
                createdAt: time, updatedAt: time.addingTimeInterval(1.25), version: Int64(index + 1))
            #expect(try product.eventJSON(dates: RowDates(time)) == TenantScope.json(product))
        }
    }

    @Test("a creation's event payload written ahead of the write is, filled in, the bytes JSONEncoder gave")
    func creationEventTemplates() throws {
        let seed = SplitMix64.testSeed()
        print("CanonicalJSONTests.creationEventTemplates seed \(seed)")
        var random = RandomJSON(generator: SplitMix64(seed: seed))
        let edges: [Int64] = [0, 1, 9, 10, 99, 100, 999_999, 1_000_000, Int64.max, -1, Int64.min]
        for index in 0..<500 {
            let time = Date(timeIntervalSince1970: StoredDateTests.randomSeconds(&random.generator))
            let id = index < edges.count ? edges[index] : Int64.random(in: 1...Int64.max, using: &random.generator)
            let draft = ProductDraft(
                stored: index % 5 == 0 ? random.string() : "SKU/\(index)", title: random.string(),
                description: index % 4 == 0 ? "" : random.string(),
                price: Money(stored: Int64(index) * 99, currency: index % 2 == 0 ? "EUR" : "JPY"),
                attributes: random.attributes(), status: ProductStatus.allCases[index % 3]
            ).serializedForWrite()
            let template = try #require(draft.encoded?.creationEvent)
            let product = ProductRecord(
                id: ProductID(id), tenantID: TenantID(1), draft: draft, createdAt: time, updatedAt: time, version: 1)
            let filled = template.payload(id: id, dates: RowDates(time))
            #expect(try filled == TenantScope.json(product), "seed \(seed), product \(index)")
            #expect(try filled == product.eventJSON(dates: RowDates(time)), "seed \(seed), product \(index)")
        }
    }
}
