import TalyTestSupport
import Testing

@testable import TalyIndex

@Suite("a schema grows at the end on a live index", .serialized)
struct SchemaGrowthTests {
    typealias Fixture = IndexWriterTests

    static let grown = try! Schema(
        fields: Fixture.schema.fields + [
            .init("color", .keyword(stored: true, multiValued: false)),
            .init("weight", .double(stored: true)),
        ],
        idField: "id"
    )

    static let colors = ["red", "green", "blue"]

    /// A document of the grown schema: the fixture's fields plus a color and a weight.
    static func grownDocument(_ id: Int, _ random: inout SplitMix64) -> Document {
        var document = Fixture.document(id, &random)
        document["color"] = .keyword([colors.randomElement(using: &random)!])
        document["weight"] = .double(Double(Int.random(in: 1...9, using: &random)) / 2)
        return document
    }

    static func ids(_ response: SearchResponse, _ reader: IndexReader) throws -> Set<String> {
        Set(
            try response.hits.map { hit -> String in
                guard case .keyword(let ids)? = try reader.segments[hit.segment].storedFields(hit.document)["id"] else {
                    return ""
                }
                return ids[0]
            })
    }

    @Test("extends: the same fields first then new ones, same id field and mode; nothing else")
    func extendsRule() throws {
        #expect(Self.grown.extends(Fixture.schema))
        #expect(!Fixture.schema.extends(Self.grown))
        #expect(!Fixture.schema.extends(Fixture.schema))
        var retyped = Fixture.schema.fields
        retyped[4] = .init("price", .double(stored: true))
        let other = try Schema(
            fields: retyped + [.init("color", .keyword(stored: true, multiValued: false))], idField: "id")
        #expect(!other.extends(Fixture.schema))
        let appendOnly = try Schema(fields: Self.grown.fields, idField: "id", idMode: .appendOnly)
        #expect(!appendOnly.extends(Fixture.schema))
    }

    @Test("old segments lack the new fields: search, filters and facets see them; merges, reopen and commits keep them")
    func growLiveIndex() throws {
        let dir = try TemporaryDirectory()
        let seed = SplitMix64.testSeed()
        var random = SplitMix64(seed: seed)
        let writer = try IndexWriter(
            directory: dir.path, schema: Fixture.schema,
            options: .init(ramBudgetBytes: 1 << 20, mergesInBackground: false))
        // Two committed segments and some buffered documents under the old schema.
        try writer.add((0..<300).map { Fixture.document($0, &random) })
        try writer.commit()
        try writer.add((300..<600).map { Fixture.document($0, &random) })
        try writer.commit()
        try writer.add((600..<700).map { Fixture.document($0, &random) })

        #expect(throws: SchemaError.self) {
            try writer.extendSchema(to: try Schema(fields: Array(Fixture.schema.fields.prefix(4)), idField: "id"))
        }
        try writer.extendSchema(to: Self.grown)
        try writer.extendSchema(to: Self.grown)  // the same schema again: nothing to do
        #expect(writer.schema == Self.grown)
        var expected: [String: Document] = [:]
        for id in 700..<1000 { expected["doc-\(id)"] = Self.grownDocument(id, &random) }
        // Replacing an old document gives it the new fields.
        expected["doc-5"] = Self.grownDocument(5, &random)
        try writer.add(expected.keys.sorted().map { expected[$0]! })
        try writer.commit()

        func check(_ reader: IndexReader, _ stage: String) throws {
            #expect(reader.schema == Self.grown, "seed \(seed) \(stage)")
            #expect(reader.documentCount == 1000, "seed \(seed) \(stage)")
            let searcher = IndexSearcher(reader: reader)
            for color in Self.colors {
                let want = Set(expected.filter { $0.value["color"] == .keyword([color]) }.keys)
                let found = try searcher.search(
                    SearchRequest(filter: .equal(field: "color", .string(color)), limit: 2000, countTotal: true))
                #expect(try Self.ids(found, reader) == want, "seed \(seed) \(stage): color \(color)")
                let matched = try searcher.search(SearchRequest(query: .term(field: "color", text: color), limit: 2000))
                #expect(try Self.ids(matched, reader) == want, "seed \(seed) \(stage): term color:\(color)")
            }
            let heavy = Set(
                expected.filter {
                    if case .double(let weight)? = $0.value["weight"] { return weight >= 3 }
                    return false
                }.keys)
            let range = try searcher.search(
                SearchRequest(
                    filter: .range(field: "weight", lower: FilterBound(.double(3), inclusive: true), upper: nil),
                    limit: 2000))
            #expect(try Self.ids(range, reader) == heavy, "seed \(seed) \(stage): weight >= 3")
            // Facets count only the documents that have the field; old segments add nothing.
            let facets = try searcher.search(
                SearchRequest(limit: 0, facets: [.values("color", limit: 10), FacetRequest(field: "weight", .stats)]))
            var counts: [String: Int] = [:]
            for document in expected.values {
                if case .keyword(let values)? = document["color"] { counts[values[0], default: 0] += 1 }
            }
            guard case .values(let values, _) = facets.facets[0].counts else {
                Issue.record("seed \(seed) \(stage): not a values facet")
                return
            }
            #expect(
                Dictionary(uniqueKeysWithValues: values.map { ($0.value, $0.count) }) == counts, "seed \(seed) \(stage)"
            )
            #expect(facets.facets[1].stats?.count == expected.count, "seed \(seed) \(stage)")
            // Old documents still match their old fields; the replaced one only in its new version.
            let old = try searcher.search(
                SearchRequest(filter: .equal(field: "price", .integer(100 * 42)), limit: 10))
            #expect(try Self.ids(old, reader) == ["doc-42"], "seed \(seed) \(stage)")
            let replaced = try #require(try reader.document(withID: "doc-5"), "seed \(seed) \(stage)")
            #expect(replaced["color"] == expected["doc-5"]!["color"], "seed \(seed) \(stage)")
            #expect(try reader.document(withID: "doc-6")?["color"] == nil, "seed \(seed) \(stage)")
        }

        let committed = try IndexReader.open(directory: dir.path)
        #expect(committed.segments.count > 2, "seed \(seed): old and new segments side by side")
        #expect(committed.segments.contains { $0.info.schemaFieldCount == Fixture.schema.fields.count })
        try check(committed, "after the commit")

        // Merging segments that lack the fields with segments that have them.
        try writer.forceMerge(maximumSegments: 1)
        let merged = try IndexReader.open(directory: dir.path)
        #expect(merged.segments.count == 1, "seed \(seed)")
        #expect(merged.segments[0].info.schemaFieldCount == Self.grown.fields.count)
        try check(merged, "after the merge")

        // Reopening with the grown schema works; with the old one it is refused (it would drop fields).
        withExtendedLifetime(writer) {}
        _ = consume writer
        #expect(throws: IndexError.self) { _ = try IndexWriter(directory: dir.path, schema: Fixture.schema) }
        let reopened = try IndexWriter(directory: dir.path, schema: Self.grown)
        try reopened.add(Self.grownDocument(1000, &random))
        try reopened.commit()
        #expect(try IndexReader.open(directory: dir.path).documentCount == 1001, "seed \(seed)")
    }

    @Test("a writer opened with a schema that extends the committed one records it at the next commit")
    func openGrown() throws {
        let dir = try TemporaryDirectory()
        var random = SplitMix64(seed: 11)
        do {
            let writer = try IndexWriter(directory: dir.path, schema: Fixture.schema)
            try writer.add((0..<50).map { Fixture.document($0, &random) })
            try writer.commit()
        }
        let writer = try IndexWriter(directory: dir.path, schema: Self.grown)
        // Nothing changes on disk until the commit.
        #expect(try Manifest.load(from: dir.path).schema == Fixture.schema)
        try writer.add(Self.grownDocument(50, &random))
        try writer.commit()
        let reader = try IndexReader.open(directory: dir.path)
        #expect(reader.schema == Self.grown)
        let found = try IndexSearcher(reader: reader).search(
            SearchRequest(filter: .range(field: "weight", lower: nil, upper: nil), limit: 10))
        #expect(try Self.ids(found, reader) == ["doc-50"])
    }
}
